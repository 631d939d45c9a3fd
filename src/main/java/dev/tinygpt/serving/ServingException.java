package dev.tinygpt.serving;

/**
 * A request the server refuses, and why: the HTTP layer turns the kind into a status ({@code
 * INVALID} 400, {@code NOT_FOUND} 404, {@code QUEUE_FULL} 429, {@code UNAVAILABLE} 503) and the
 * message and parameter into OpenAI's error object.
 */
public final class ServingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request is refused. */
    public enum Kind {
        /** A field is missing, of the wrong type or out of range: the client must change it. */
        INVALID,
        /** The request names something the server does not have (another model). */
        NOT_FOUND,
        /** The queue is full: retry later. */
        QUEUE_FULL,
        /** The server is loading or shutting down. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String param;

    /**
     * @param param the request field at fault, or null
     */
    public ServingException(Kind kind, String param, String message) {
        super(message);
        this.kind = kind;
        this.param = param;
    }

    /** A bad value of {@code param}. */
    public static ServingException invalid(String param, String message) {
        return new ServingException(Kind.INVALID, param, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
