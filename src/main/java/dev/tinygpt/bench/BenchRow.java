package dev.tinygpt.bench;

/**
 * One cell of the benchmark grid: a model at a batch size and a sequence length, every time a
 * median over repeats after warm-up.
 *
 * @param model the model's display name
 * @param batch rows generated together (B)
 * @param length sequence length n: the prompt prefilled, then the number of cached positions a
 *     decode step attends over
 * @param prefillMs one prefill of B×n tokens (one forward over the whole prompt)
 * @param cachedStepMs one decode step (B new tokens) against a KV cache holding n positions
 * @param uncachedStepMs one decode step without a cache: the whole prefix of n tokens is run again
 *     to get one more token per row
 * @param kvCacheBytes bytes the KV cache holds after the prefill (keys and values of every layer)
 * @param decodeBoundMs the step's lower bound from memory bandwidth: weight bytes plus cached K/V
 *     bytes read per step, divided by the measured read bandwidth
 * @param prefillBoundMs the prefill's lower bound from compute: its matmul FLOPs divided by the
 *     measured matmul throughput
 */
public record BenchRow(
        String model,
        int batch,
        int length,
        double prefillMs,
        double cachedStepMs,
        double uncachedStepMs,
        long kvCacheBytes,
        double decodeBoundMs,
        double prefillBoundMs) {

    /** This row with its bounds set. */
    public BenchRow withBounds(double decodeBoundMs, double prefillBoundMs) {
        return new BenchRow(
                model,
                batch,
                length,
                prefillMs,
                cachedStepMs,
                uncachedStepMs,
                kvCacheBytes,
                decodeBoundMs,
                prefillBoundMs);
    }

    /** Prompt tokens per second of the prefill. */
    public double prefillTokensPerSecond() {
        return batch * (double) length / prefillMs * 1000.0;
    }

    /** Generated tokens per second (all rows) with the cache. */
    public double cachedTokensPerSecond() {
        return batch / cachedStepMs * 1000.0;
    }

    /** Generated tokens per second (all rows) without the cache. */
    public double uncachedTokensPerSecond() {
        return batch / uncachedStepMs * 1000.0;
    }

    /** The cached decode step as a fraction of its bandwidth bound (1 = at the bound). */
    public double decodeFractionOfBound() {
        return decodeBoundMs / cachedStepMs;
    }

    /** The prefill as a fraction of its matmul-throughput bound (1 = at the bound). */
    public double prefillFractionOfBound() {
        return prefillBoundMs / prefillMs;
    }
}
