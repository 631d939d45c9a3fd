package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client against a one-shot server on loopback that answers with the exact bytes a test gives
 * it: whole and cut streams, error events, error statuses.
 */
class CompletionClientTest {
    private static final String SSE_HEADERS =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Upstream: 127.0.0.1:1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";

    private static String chunk(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Integer.toHexString(bytes.length) + "\r\n" + text + "\r\n";
    }

    private static String event(String text) {
        return chunk("data: {\"choices\":[{\"index\":0,\"text\":\"" + text + "\"}]}\n\n");
    }

    /** Serves one request with {@code response}, then closes the connection; what it was sent. */
    private static CompletableFuture<String> serveOnce(ServerSocket socket, String response) {
        return serveOnce(socket, response, new CountDownLatch(0));
    }

    /** {@link #serveOnce}, holding the connection open after the response until {@code hold}. */
    private static CompletableFuture<String> serveOnce(
            ServerSocket socket, String response, CountDownLatch hold) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (Socket s = socket.accept()) {
                        BufferedReader in =
                                new BufferedReader(
                                        new InputStreamReader(
                                                s.getInputStream(), StandardCharsets.UTF_8));
                        int length = 0;
                        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                            if (line.toLowerCase().startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).strip());
                            }
                        }
                        char[] body = new char[length];
                        for (int n = 0; n < length; ) {
                            n += in.read(body, n, length - n);
                        }
                        OutputStream out = s.getOutputStream();
                        out.write(response.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        hold.await();
                        return new String(body);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private static StreamedCompletion send(String response, boolean stream) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> sent = serveOnce(socket, response);
            CompletionClient client =
                    new CompletionClient(URI.create("http://127.0.0.1:" + socket.getLocalPort()));
            JsonObject request = new JsonObject();
            request.addProperty("prompt", "hi");
            StreamedCompletion result = stream ? client.stream(request) : client.complete(request);
            assertTrue(sent.join().contains("\"stream\":" + stream), sent.join());
            return result;
        }
    }

    @Test
    void aWholeStreamIsReadChunkByChunk() throws IOException {
        StreamedCompletion r =
                send(
                        SSE_HEADERS
                                + event("Hel")
                                + event("lo")
                                + chunk("data: [DONE]\n\n")
                                + "0\r\n\r\n",
                        true);
        assertNull(r.error());
        assertTrue(r.ok() && r.done());
        assertEquals("Hello", r.text());
        assertEquals(2, r.tokenNanos().size());
        assertEquals(1, r.interTokenMillis().size());
        assertTrue(r.timeToFirstTokenMillis().orElseThrow() >= 0);
        assertEquals(200, r.status());
        assertEquals("127.0.0.1:1", r.header("X-Upstream").orElseThrow());
    }

    /**
     * Two streams through one client to a server that keeps the connection alive and sends each
     * body's terminating chunk a moment after {@code [DONE]}: both succeed on one connection. A
     * client that stopped at {@code [DONE]} left the terminator unread, and under load a later
     * request on that connection failed ("header parser received no bytes", 2 in 3,072).
     */
    @Test
    void aStreamIsReadToItsEndSoItsConnectionServesTheNextRequest() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served =
                    CompletableFuture.supplyAsync(() -> serveTwoOnOneConnection(socket));
            CompletionClient client =
                    new CompletionClient(URI.create("http://127.0.0.1:" + socket.getLocalPort()));
            for (int i = 0; i < 2; i++) {
                StreamedCompletion r = client.stream(new JsonObject());
                assertTrue(r.ok(), r.error());
                assertEquals("a", r.text());
            }
            assertEquals(2, served.get(10, TimeUnit.SECONDS));
        }
    }

    /** Accepts one connection and answers two requests on it; how many it answered. */
    private static int serveTwoOnOneConnection(ServerSocket socket) {
        try (Socket s = socket.accept()) {
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            int answered = 0;
            for (; answered < 2; answered++) {
                int length = 0;
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                in.read(new char[length], 0, length); // the small JSON body, in one read
                String head = SSE_HEADERS + event("a") + chunk("data: [DONE]\n\n");
                out.write(head.getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(100);
                out.write("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            return answered;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aStreamThatEndsWithoutDoneIsAnError() throws IOException {
        StreamedCompletion r = send(SSE_HEADERS + event("a") + "0\r\n\r\n", true);
        assertFalse(r.ok());
        assertEquals("the stream ended without data: [DONE]", r.error());
        assertEquals("a", r.text());
    }

    @Test
    void aStreamCutMidChunkIsAnError() throws IOException {
        StreamedCompletion r = send(SSE_HEADERS + event("a") + "40\r\ndata: {\"cho", true);
        assertFalse(r.ok());
        assertFalse(r.done());
        // java.net.http may report the cut before it hands over the whole chunk before it (seen
        // in 2 runs of 3 on a loaded machine): the event is read or lost, never half read.
        assertTrue(r.tokenNanos().size() <= 1, r.tokenNanos().toString());
        assertTrue(r.text().equals("a") || r.text().isEmpty(), r.text());
    }

    @Test
    void aStreamThatFallsSilentEndsAsAnErrorAfterTheIdleTimeout() throws IOException {
        CountDownLatch hold = new CountDownLatch(1);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> served = serveOnce(socket, SSE_HEADERS + event("a"), hold);
            CompletionClient client =
                    new CompletionClient(
                            URI.create("http://127.0.0.1:" + socket.getLocalPort()),
                            Duration.ofMillis(500));
            StreamedCompletion r = client.stream(new JsonObject());
            hold.countDown();
            served.join();
            assertEquals("a", r.text());
            assertEquals("no data for 0.5 s: the client closed it", r.error());
            double seconds = (r.endNanos() - r.tokenNanos().get(0)) / 1e9;
            assertTrue(seconds >= 0.45 && seconds < 5, seconds + " s");
        }
    }

    @Test
    void anErrorEventEndsTheStreamWithItsMessage() throws IOException {
        String error =
                "data: {\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\"}}\n\n";
        StreamedCompletion r = send(SSE_HEADERS + event("a") + chunk(error) + "0\r\n\r\n", true);
        assertEquals("error event: out of memory", r.error());
    }

    @Test
    void anErrorStatusCarriesTheMessageOfItsBody() throws IOException {
        String body = "{\"error\":{\"message\":\"the queue is full\",\"type\":\"overloaded\"}}";
        StreamedCompletion r =
                send(
                        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: "
                                + body.length()
                                + "\r\n\r\n"
                                + body,
                        true);
        assertEquals(429, r.status());
        assertEquals("HTTP 429: the queue is full", r.error());
        assertTrue(r.headersNanos() >= r.sentNanos());
    }

    @Test
    void aWholeResponseGivesTheFirstChoicesText() throws IOException {
        String body =
                "{\"choices\":[{\"index\":0,\"text\":\"to be\",\"finish_reason\":\"length\"}]}";
        StreamedCompletion r =
                send(
                        "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                        false);
        assertTrue(r.ok());
        assertEquals("to be", r.text());
        assertTrue(r.timeToFirstTokenMillis().isEmpty());
    }

    @Test
    void noServerIsAnErrorNotAnException() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        StreamedCompletion r =
                new CompletionClient(URI.create("http://127.0.0.1:" + port))
                        .stream(new JsonObject());
        assertFalse(r.ok());
        assertEquals(-1, r.status());
        assertTrue(r.error().startsWith("ConnectException"), r.error());
    }
}
