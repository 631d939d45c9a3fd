package dev.tinygpt.generation;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.tinygpt.cache.KvCache;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;

/**
 * The typed API over the step Predictor: it owns a {@link Predictor} and a {@link KvCache} and
 * hands back the last position's logits as {@code float[]}, so user code never touches an NDArray.
 *
 * <pre>
 * float[] logits = session.prefill(promptIds); // whole prompt, one step
 * logits = session.append(nextId);              // one token against the cache
 * logits = session.forward(allIds);             // no cache: recompute everything
 * </pre>
 *
 * Not thread-safe: one session per thread. Sessions of one model run concurrently.
 */
public final class InferenceSession implements AutoCloseable {
    private final ZooModel<StepInput, StepOutput> zoo;
    private final GptConfig config;
    private final Predictor<StepInput, StepOutput> predictor;
    private final KvCache cache;
    private boolean closed;

    public InferenceSession(ZooModel<StepInput, StepOutput> zoo, GptConfig config) {
        this.zoo = zoo;
        this.config = config;
        this.predictor = zoo.newPredictor();
        this.cache = new KvCache(zoo.getNDManager(), config);
    }

    /** Clears the cache and runs the whole prompt in one step; returns its last logits. */
    public float[] prefill(int[] ids) {
        checkOpen();
        requireTokens(ids);
        cache.clear();
        return run(StepInput.of(ids, cache));
    }

    /** Appends tokens at positions after the cached ones; returns the last logits. */
    public float[] append(int... ids) {
        checkOpen();
        requireTokens(ids);
        return run(StepInput.of(ids, cache));
    }

    /** Runs {@code ids} at positions {@code 0…} without any cache; returns the last logits. */
    public float[] forward(int[] ids) {
        checkOpen();
        requireTokens(ids);
        return run(StepInput.of(ids, null));
    }

    /** The session's KV cache (for batched steps, beam search's row reordering, sizing). */
    public KvCache cache() {
        checkOpen();
        return cache;
    }

    /** Number of positions in the cache. */
    public int cachedLength() {
        checkOpen();
        return cache.length();
    }

    public GptConfig config() {
        return config;
    }

    /** Runs one step of any shape through the predictor (for batches and custom masks). */
    public StepOutput step(StepInput input) {
        checkOpen();
        try {
            return predictor.predict(input);
        } catch (TranslateException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalStateException("model step failed: " + e.getMessage(), e);
        }
    }

    private float[] run(StepInput input) {
        return step(input).lastOfEachRow()[0];
    }

    private void requireTokens(int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty input: at least one token id is needed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cache.close();
            predictor.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this InferenceSession is closed");
        }
        if (!zoo.getNDManager().isOpen()) {
            throw new IllegalStateException("the model of this InferenceSession is closed");
        }
    }
}
