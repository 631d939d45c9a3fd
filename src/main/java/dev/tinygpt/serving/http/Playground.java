package dev.tinygpt.serving.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /}: one static page that talks to {@code /v1/completions}, streaming. */
final class Playground {
    static final String RESOURCE = "playground.html";
    private static final byte[] PAGE = load();

    private Playground() {}

    private static byte[] load() {
        try (InputStream in = Playground.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the playground page is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void serve(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").result(PAGE);
    }
}
