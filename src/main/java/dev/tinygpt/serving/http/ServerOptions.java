package dev.tinygpt.serving.http;

import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link CompletionServer} listens and admits work. Checked when built, naming the option.
 *
 * @param host the address to bind (127.0.0.1 unless told: the server is local by default)
 * @param port the TCP port; 0 takes a free one ({@link CompletionServer#port()} says which)
 * @param maxBatch rows decoded together at most
 * @param maxQueue requests that may wait beyond the running ones; past that a 429
 * @param apiKey the key clients must send as {@code Authorization: Bearer KEY}, or empty for none
 * @param modelName the one model {@code /v1/models} lists and requests may name
 * @param chatTemplate the model's chat template, or empty: {@code /v1/chat/completions} then 400s
 * @param maxBodyBytes the largest request body; a larger one is a 413
 * @param drainTimeout how long a drain lets running requests finish before it cuts them off
 */
public record ServerOptions(
        String host,
        int port,
        int maxBatch,
        int maxQueue,
        Optional<String> apiKey,
        String modelName,
        Optional<ChatTemplate> chatTemplate,
        long maxBodyBytes,
        Duration drainTimeout) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_BATCH = 8;
    public static final int DEFAULT_MAX_QUEUE = 64;
    public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be ≥ 1, got " + maxBatch);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("--max-queue must be ≥ 0, got " + maxQueue);
        }
        if (apiKey.isPresent() && apiKey.get().isBlank()) {
            throw new IllegalArgumentException("--api-key must not be empty");
        }
        if (modelName.isBlank()) {
            throw new IllegalArgumentException("--served-model-name must not be empty");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("the body limit must be ≥ 1 byte");
        }
        if (!host.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
            throw new IllegalArgumentException(
                    "bad --host '" + host + "': give an IP address or a host name");
        }
    }

    /** Defaults for a model called {@code modelName}: loopback, port 8080, no key. */
    public static Builder builder(String modelName) {
        return new Builder(modelName);
    }

    /** Builds {@link ServerOptions}; they check themselves when built. */
    public static final class Builder {
        private final String modelName;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int maxQueue = DEFAULT_MAX_QUEUE;
        private String apiKey;
        private ChatTemplate chatTemplate;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

        private Builder(String modelName) {
            this.modelName = modelName;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder maxBatch(int v) {
            maxBatch = v;
            return this;
        }

        public Builder maxQueue(int v) {
            maxQueue = v;
            return this;
        }

        /** Null for none. */
        public Builder apiKey(String v) {
            apiKey = v;
            return this;
        }

        /** Null for none. */
        public Builder chatTemplate(ChatTemplate v) {
            chatTemplate = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder drainTimeout(Duration v) {
            drainTimeout = v;
            return this;
        }

        public ServerOptions build() {
            return new ServerOptions(
                    host,
                    port,
                    maxBatch,
                    maxQueue,
                    Optional.ofNullable(apiKey),
                    modelName,
                    Optional.ofNullable(chatTemplate),
                    maxBodyBytes,
                    drainTimeout);
        }
    }
}
