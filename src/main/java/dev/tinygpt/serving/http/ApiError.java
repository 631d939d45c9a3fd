package dev.tinygpt.serving.http;

import com.google.gson.JsonObject;
import dev.tinygpt.serving.ServingException;
import io.javalin.http.HttpResponseException;

/**
 * A refused request as OpenAI reports it: an HTTP status and the error object {@code
 * {"error":{"message","type","param","code"}}}. Thrown by the request handlers and written by one
 * exception handler, so no other exception's text (or stack trace) reaches a client.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: a field is missing, of the wrong type or out of range. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null, message);
    }

    static ApiError modelNotFound(String model) {
        return new ApiError(
                404,
                "invalid_request_error",
                "model_not_found",
                "model",
                "the model '" + model + "' does not exist");
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(
                413,
                "invalid_request_error",
                "request_too_large",
                null,
                "the request body is over this server's limit of " + limit + " bytes");
    }

    static ApiError unavailable(String message) {
        return new ApiError(503, "server_error", "service_unavailable", null, message);
    }

    static ApiError internal() {
        return new ApiError(500, "server_error", null, null, "the server failed on this request");
    }

    /** The engine's refusal with its status: 400, 404, 429 or 503. */
    static ApiError of(ServingException e) {
        return switch (e.kind()) {
            case INVALID -> invalid(e.param(), e.getMessage());
            case NOT_FOUND ->
                    new ApiError(
                            404, "invalid_request_error", "not_found", e.param(), e.getMessage());
            case QUEUE_FULL ->
                    new ApiError(429, "rate_limit_error", "queue_full", null, e.getMessage());
            case UNAVAILABLE -> unavailable(e.getMessage());
        };
    }

    /** Javalin's own refusals (no such route, a body past its limit) as OpenAI's errors. */
    static ApiError of(HttpResponseException e) {
        String code =
                switch (e.getStatus()) {
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    case 413 -> "request_too_large";
                    default -> null;
                };
        return new ApiError(e.getStatus(), "invalid_request_error", code, null, e.getMessage());
    }

    int status() {
        return status;
    }

    /** The whole body: {@code {"error":{…}}}. */
    JsonObject body() {
        JsonObject o = new JsonObject();
        o.add("error", object());
        return o;
    }

    /** The inner error object. */
    JsonObject object() {
        JsonObject error = new JsonObject();
        error.addProperty("message", getMessage());
        error.addProperty("type", type);
        error.addProperty("param", param);
        error.addProperty("code", code);
        return error;
    }
}
