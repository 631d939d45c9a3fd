package dev.tinygpt.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sustained memory read bandwidth, measured as STREAM measures it: an array far larger than every
 * cache (1 GiB in all), each thread reading its own part, and a loop with eight independent
 * accumulators so it is bound by loads, not by the latency of one add chain. The JIT compiles the
 * loop to vector loads; a C probe with AVX-512 loads and four accumulators per thread reads within
 * a few percent of it on the same machine (docs/PERFORMANCE.md). A single accumulator, or a
 * libtorch {@code sum}, reads 20–30% slower: such a probe would understate the limit and flatter
 * every "% of bound".
 */
public final class ReadBandwidth implements AutoCloseable {
    /** Bytes read per sample, in all. */
    public static final long BYTES = 1L << 30;

    private final long[][] parts;
    private final ExecutorService pool;

    /** Allocates and touches {@code BYTES / threads} per thread, in the thread that reads it. */
    public ReadBandwidth(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        this.parts = new long[threads][];
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "tinygpt-bandwidth");
                            t.setDaemon(true);
                            return t;
                        });
        int longs = Math.toIntExact(BYTES / Long.BYTES / threads);
        onEveryThread(
                i -> {
                    parts[i] = new long[longs];
                    Arrays.fill(parts[i], i + 1); // first touch by the reader
                    return 0;
                });
        for (int i = 0; i < 3; i++) {
            sampleGBs(); // the JIT's compiled loop, before any sample counts
        }
    }

    public int threads() {
        return parts.length;
    }

    /** One sample, GB/s (10⁹ bytes): the wall time of every thread reading its part once. */
    public double sampleGBs() {
        long start = System.nanoTime();
        long sum = onEveryThread(i -> sum(parts[i]));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sum == 42) {
            System.out.print(""); // keeps the sums observable, so no read can be dropped
        }
        return (double) parts.length * parts[0].length * Long.BYTES / seconds / 1e9;
    }

    /** Eight independent accumulators: eight loads in flight per iteration, no add chain. */
    static long sum(long[] a) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = a.length - a.length % 8;
        for (int i = 0; i < n; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        for (int i = n; i < a.length; i++) {
            s0 += a[i];
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    private interface PerThread {
        long run(int index);
    }

    private long onEveryThread(PerThread work) {
        List<Future<Long>> futures = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            int index = i;
            futures.add(pool.submit(() -> work.run(index)));
        }
        long total = 0;
        try {
            for (Future<Long> f : futures) {
                total += f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring bandwidth", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OutOfMemoryError oom) {
                throw new IllegalStateException(
                        "the bandwidth probe needs 1 GiB of Java heap (raise -Xmx)", oom);
            }
            throw new IllegalStateException("the bandwidth probe failed: " + e.getCause(), e);
        }
        return total;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
