package dev.tinygpt.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented nginx file, its addresses changed and nothing else. */
class NginxFrontTest {
    @Test
    void theDocumentedFileGetsTheTestsPortsAndKeepsEveryOtherLine() throws IOException {
        String doc = Files.readString(NginxFront.TEMPLATE);
        String site =
                NginxFront.site(
                        doc,
                        40000,
                        List.of(
                                URI.create("http://127.0.0.1:40001"),
                                URI.create("http://127.0.0.1:40002")));
        assertTrue(site.contains("    listen 127.0.0.1:40000;\n"), site);
        assertTrue(
                site.contains(
                        "    server 127.0.0.1:40001;\n    server 127.0.0.1:40002;\n    keepalive"),
                site);
        String restored =
                site.replace("127.0.0.1:40000;", "127.0.0.1:8080;")
                        .replace("127.0.0.1:40001;", "127.0.0.1:8081;")
                        .replace("127.0.0.1:40002;", "127.0.0.1:8082;");
        assertEquals(doc, restored);
        for (String line :
                List.of(
                        "proxy_buffering off;",
                        "proxy_next_upstream error timeout http_502 http_503 http_429 non_idempotent;",
                        "add_header X-Upstream $upstream_addr always;")) {
            assertTrue(site.contains(line), line);
        }
    }

    @Test
    void aFileWithoutTheLinesItReplacesIsAnError() {
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> NginxFront.site("server { listen 80; }", 1, List.of()));
        assertTrue(e.getMessage().contains("no 'listen' line or no 'server 127.0.0.1:PORT;'"));
    }
}
