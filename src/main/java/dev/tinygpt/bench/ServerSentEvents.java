package dev.tinygpt.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Server-sent events from a stream's lines, as the WHATWG HTML standard's event-stream
 * interpretation has it: {@code data:} lines (one leading space dropped) accumulate, joined by
 * newlines, and a blank line dispatches them as one event; lines starting with {@code :} are
 * comments; {@code event}, {@code id} and {@code retry} fields are read past; data not closed by a
 * blank line when the stream ends is no event.
 */
public final class ServerSentEvents {
    private final List<String> data = new ArrayList<>();

    /** Feeds one line (without its line ending); returns the event it completes, if any. */
    public Optional<String> line(String line) {
        if (line.isEmpty()) {
            if (data.isEmpty()) {
                return Optional.empty();
            }
            String event = String.join("\n", data);
            data.clear();
            return Optional.of(event);
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (field.equals("data")) {
            data.add(value.startsWith(" ") ? value.substring(1) : value);
        }
        return Optional.empty();
    }

    /** Whether data lines are waiting for the blank line that ends their event. */
    public boolean pending() {
        return !data.isEmpty();
    }
}
