package dev.tinygpt.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinygpt.engine.IntraOpThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures the machine's limits in the benchmark's own process: sustained read bandwidth with a
 * STREAM-class probe ({@link ReadBandwidth}, every core) and fp32 matmul throughput through the
 * engine (a square GEMM on every core). Each sample is one timed run; callers take medians over
 * samples spread across the run, since a shared machine's bandwidth swings within seconds.
 *
 * <p>Also reads the process's resident memory from {@code /proc/self/status} (Linux).
 */
public final class MachineProbe implements AutoCloseable {
    /** A 2048² GEMM: 17 GFLOP, large enough for libtorch's best kernel and every core. */
    private static final int GEMM_SIZE = 2048;

    private final ReadBandwidth bandwidth;
    private final NDManager manager;
    private final NDArray a;
    private final NDArray b;

    public MachineProbe() {
        bandwidth = new ReadBandwidth(IntraOpThreads.cores());
        manager = NDManager.newBaseManager();
        manager.setName("machine-probe");
        a = manager.randomUniform(-1f, 1f, new Shape(GEMM_SIZE, GEMM_SIZE));
        b = manager.randomUniform(-1f, 1f, new Shape(GEMM_SIZE, GEMM_SIZE));
        matmulGflops(); // warm-up
    }

    /**
     * One sample of read bandwidth, GB/s, every core reading its part of 1 GiB. After a parallel
     * libtorch call, OpenMP's workers spin for a while (GOMP_SPINCOUNT: ~10 ms) before they sleep,
     * taking a core from the probe; it waits that out first.
     */
    public double bandwidthGBs() {
        settle();
        return bandwidth.sampleGBs();
    }

    /** Lets libtorch's OpenMP workers stop spinning and go to sleep. */
    static void settle() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One sample of fp32 matmul throughput, GFLOP/s: a 2048 × 2048 × 2048 product. */
    public double matmulGflops() {
        IntraOpThreads.use(IntraOpThreads.cores());
        long start = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
            c.getShape(); // the product is computed eagerly; keep the array alive until here
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE / seconds / 1e9;
    }

    /** Limits from samples taken across the run: the medians. */
    public static MachineLimits limits(List<Double> bandwidth, List<Double> gflops) {
        return new MachineLimits(
                cpuName(),
                Runtime.getRuntime().availableProcessors(),
                IntraOpThreads.describe(),
                Stats.median(bandwidth),
                Stats.median(gflops));
    }

    /** The CPU's model name from {@code /proc/cpuinfo}, or "unknown". */
    public static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through
        }
        return "unknown";
    }

    /** Resident set size now, bytes ({@code VmRSS}); -1 where unknown. */
    public static long residentBytes() {
        return status("VmRSS:");
    }

    /** Peak resident set size since start or the last {@link #resetPeak}, bytes; -1 if unknown. */
    public static long peakResidentBytes() {
        return status("VmHWM:");
    }

    /** Resets the peak RSS to the current RSS (Linux ≥ 4.0); false where not supported. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String kb = line.substring(field.length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }

    @Override
    public void close() {
        bandwidth.close();
        manager.close();
    }
}
