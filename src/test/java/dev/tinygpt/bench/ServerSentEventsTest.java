package dev.tinygpt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event-stream rules of the HTML standard that OpenAI's streamed responses rely on. */
class ServerSentEventsTest {
    private static List<String> events(String stream) {
        ServerSentEvents sse = new ServerSentEvents();
        List<String> events = new ArrayList<>();
        for (String line : stream.split("\n", -1)) {
            sse.line(line).ifPresent(events::add);
        }
        return events;
    }

    @Test
    void aBlankLineEndsEachEventAndOneLeadingSpaceIsDropped() {
        assertEquals(
                List.of("{\"a\":1}", " two spaces", "[DONE]"),
                events("data: {\"a\":1}\n\ndata:  two spaces\n\ndata: [DONE]\n\n"));
    }

    @Test
    void dataLinesOfOneEventJoinWithNewlines() {
        assertEquals(List.of("first\nsecond", ""), events("data: first\ndata:second\n\ndata\n\n"));
    }

    @Test
    void commentsOtherFieldsAndExtraBlankLinesAreNoEvents() {
        assertEquals(
                List.of("x"),
                events(": keep-alive\n\nevent: message\nid: 7\nretry: 100\n\n\ndata: x\n\n"));
    }

    @Test
    void dataLeftOpenAtTheEndIsNoEvent() {
        ServerSentEvents sse = new ServerSentEvents();
        assertTrue(sse.line("data: {\"cut\":").isEmpty());
        assertTrue(sse.pending());
        assertEquals(List.of(), events("data: {\"cut\":"));
        assertFalse(new ServerSentEvents().pending());
    }
}
