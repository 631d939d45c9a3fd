package dev.tinygpt.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads libtorch uses inside one operator, step by step. A decode step of a small model
 * is a chain of short, memory-bound calls: a second thread adds a wake-up and a barrier to each
 * and, with OpenMP's default spin-waiting, a worker that spins on the core the JVM needs. A step
 * with real arithmetic in it (a prefill, a large batch) gains from every core. So by default a step
 * runs on one thread below {@value #PARALLEL_FLOPS_TEXT} of matmul work and on every core above;
 * {@code --threads N}, {@code TINYGPT_THREADS=N} or {@code -Dtinygpt.threads=N} pins every step to
 * N. The measurements behind the rule are in docs/PERFORMANCE.md ("Threads").
 *
 * <p>libtorch keeps the count per calling thread (OpenMP's and MKL's settings are thread-local), so
 * each Java thread that runs steps sets its own; this class remembers the last count per thread and
 * calls into libtorch only when it changes.
 */
public final class IntraOpThreads {
    /** The environment variable that pins the count. */
    public static final String ENV = "TINYGPT_THREADS";

    /** The system property that pins the count (wins over the environment). */
    public static final String PROPERTY = "tinygpt.threads";

    /**
     * Matmul work (2 · tokens · matmul parameters) from which a step runs on every core. Measured
     * on GPT-2 small and the Shakespeare model (docs/PERFORMANCE.md): a 1-token GPT-2 step (0.25
     * GFLOP) and a 64-token Shakespeare prefill (0.23 GFLOP) are faster on one thread; 4 tokens of
     * GPT-2 (1 GFLOP) are even; 16 tokens (4 GFLOP) and more are faster on two.
     */
    static final double PARALLEL_FLOPS = 1e9;

    private static final String PARALLEL_FLOPS_TEXT = "1 GFLOP";

    private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[1]);

    private static volatile int pinned = -1; // -1: the environment not read yet

    private IntraOpThreads() {}

    /** Pins every step to {@code threads} (≥ 1), or 0 to go back to the rule. */
    public static void pin(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "threads must be ≥ 1 (or 0 for auto), got " + threads);
        }
        pinned = threads;
    }

    /**
     * Forgets a {@link #pin}: the environment decides again (the CLI's tests run many commands).
     */
    public static void reset() {
        pinned = -1;
    }

    /**
     * The pinned count, or 0 when the rule chooses.
     *
     * @throws IllegalArgumentException if {@code TINYGPT_THREADS} or {@code -Dtinygpt.threads} is
     *     not a positive number or {@code auto}
     */
    public static int pinned() {
        int p = pinned;
        if (p < 0) {
            p = fromEnvironment();
            pinned = p;
        }
        return p;
    }

    /** The choice in words: "1 per step below 1 GFLOP of matmul work, 2 above" or "pinned to N". */
    public static String describe() {
        int p = pinned();
        return p > 0
                ? "pinned to " + p
                : "1 per step below "
                        + PARALLEL_FLOPS_TEXT
                        + " of matmul work, "
                        + cores()
                        + " above";
    }

    /** Every core the JVM may use. */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The count for a step of {@code flops} matmul work. */
    public static int forWork(double flops) {
        int p = pinned();
        if (p > 0) {
            return p;
        }
        return flops >= PARALLEL_FLOPS ? cores() : 1;
    }

    /** Sets libtorch's intra-op threads on the calling thread (a call only when it changes). */
    public static void use(int threads) {
        int[] current = CURRENT.get();
        if (current[0] != threads) {
            Engine.getEngine("PyTorch"); // loaded before its library is called
            JniUtils.setNumThreads(threads);
            current[0] = threads;
        }
    }

    /** Runs the calling thread's next steps on the threads {@link #forWork} gives. */
    public static void useFor(double flops) {
        use(forWork(flops));
    }

    private static int fromEnvironment() {
        String value = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (value == null) {
            value = System.getenv(ENV);
            source = ENV;
        }
        if (value == null || value.isBlank() || value.equalsIgnoreCase("auto")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                source + " must be a positive number of threads or 'auto', got '" + value + "'");
    }
}
