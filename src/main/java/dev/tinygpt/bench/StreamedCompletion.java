package dev.tinygpt.bench;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One request to {@code /v1/completions} as its client saw it: when it was sent, when the response
 * headers came, when each chunk carrying text came (streamed) or the whole body (not), the text,
 * whether the stream ended with {@code data: [DONE]}, and what went wrong, if anything.
 *
 * @param sentNanos {@link System#nanoTime} when the request was handed to the client
 * @param headersNanos when the status line and headers arrived; -1 if they never did
 * @param status the HTTP status; -1 without a response
 * @param headers the response headers; null without a response
 * @param tokenNanos when each chunk with text arrived (a token each, as servers stream), in order
 * @param text the completion text, chunks joined
 * @param done whether {@code data: [DONE]} closed the stream (always true for a whole response)
 * @param completionTokens {@code usage.completion_tokens} as the server reported it (a stream's
 *     last chunk when asked for with {@code stream_options.include_usage}); -1 without one
 * @param error what went wrong (status, error event, cut stream, I/O error); null when nothing did
 * @param endNanos when the response ended (or failed)
 */
public record StreamedCompletion(
        long sentNanos,
        long headersNanos,
        int status,
        HttpHeaders headers,
        List<Long> tokenNanos,
        String text,
        boolean done,
        int completionTokens,
        String error,
        long endNanos) {

    public StreamedCompletion {
        tokenNanos = List.copyOf(tokenNanos);
    }

    public boolean ok() {
        return error == null;
    }

    /** Milliseconds from sending to the first chunk with text; empty without one. */
    public Optional<Double> timeToFirstTokenMillis() {
        return tokenNanos.isEmpty()
                ? Optional.empty()
                : Optional.of((tokenNanos.get(0) - sentNanos) / 1e6);
    }

    /** Milliseconds between consecutive chunks. */
    public List<Double> interTokenMillis() {
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < tokenNanos.size(); i++) {
            gaps.add((tokenNanos.get(i) - tokenNanos.get(i - 1)) / 1e6);
        }
        return gaps;
    }

    /** A response header's first value, if the response had one. */
    public Optional<String> header(String name) {
        return headers == null ? Optional.empty() : headers.firstValue(name);
    }
}
