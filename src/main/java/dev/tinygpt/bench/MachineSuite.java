package dev.tinygpt.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.engine.IntraOpThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --suite machine}: the limits a GPT-2-small decode step runs against, measured in
 * this process, in rounds so drift on a shared machine hits every probe alike (medians over the
 * rounds):
 *
 * <ul>
 *   <li>read bandwidth, STREAM-class ({@link ReadBandwidth}), on every core and on one;
 *   <li>fp32 GEMM throughput through the engine ({@link MachineProbe#matmulGflops});
 *   <li>the decode matmul floor ({@link DecodeMatmulFloor}) on one thread and on every core: the
 *       fastest any decode step through DJL could be;
 *   <li>the bandwidth bound: GPT-2 small's weights (every byte read once per token) over the read
 *       bandwidth.
 * </ul>
 */
public final class MachineSuite {
    /**
     * @param floorMillis the faster of the two thread counts' floors
     */
    public record Result(
            String cpu,
            int cores,
            int rounds,
            double readGBs,
            double readGBsOneThread,
            double matmulGflops,
            double floorMillisOneThread,
            double floorMillisAllCores,
            long bytesPerToken) {

        public double floorMillis() {
            return Math.min(floorMillisOneThread, floorMillisAllCores);
        }

        public double floorTokensPerSecond() {
            return 1000 / floorMillis();
        }

        /** GPT-2 small's decode tokens/s if reading its weights were all a step did. */
        public double bandwidthBoundTokensPerSecond() {
            return readGBs * 1e9 / bytesPerToken;
        }

        /** One JSON object; the keys are documented in docs/PERFORMANCE.md. */
        public String json() {
            JsonObject o = new JsonObject();
            o.addProperty("cpu", cpu);
            o.addProperty("cores", cores);
            o.addProperty("rounds", rounds);
            o.addProperty("read_bandwidth_gbps", round(readGBs));
            o.addProperty("read_bandwidth_1_thread_gbps", round(readGBsOneThread));
            o.addProperty("matmul_gflops", round(matmulGflops));
            o.addProperty("decode_matmul_floor_ms", round(floorMillis()));
            o.addProperty("decode_matmul_floor_1_thread_ms", round(floorMillisOneThread));
            o.addProperty("decode_matmul_floor_all_cores_ms", round(floorMillisAllCores));
            o.addProperty("decode_matmul_floor_tokens_per_second", round(floorTokensPerSecond()));
            o.addProperty("decode_bytes_per_token", bytesPerToken);
            o.addProperty(
                    "decode_bandwidth_bound_tokens_per_second",
                    round(bandwidthBoundTokensPerSecond()));
            return new GsonBuilder().setPrettyPrinting().create().toJson(o);
        }

        public String markdown() {
            return String.format(
                    Locale.ROOT,
                    """
                    | limit (GPT-2 small, batch 1) | value |
                    |---|---:|
                    | CPU | %s, %d cores |
                    | read bandwidth, STREAM-class, %d threads | %.1f GB/s |
                    | read bandwidth, 1 thread | %.1f GB/s |
                    | fp32 GEMM (2048³), %d threads | %.1f GFLOP/s |
                    | decode matmul floor, 1 thread | %.2f ms (%.1f tokens/s) |
                    | decode matmul floor, %d threads | %.2f ms (%.1f tokens/s) |
                    | bandwidth bound: %.1f MB per token | %.1f tokens/s |

                    Medians of %d rounds.
                    """,
                    cpu,
                    cores,
                    cores,
                    readGBs,
                    readGBsOneThread,
                    cores,
                    matmulGflops,
                    floorMillisOneThread,
                    1000 / floorMillisOneThread,
                    cores,
                    floorMillisAllCores,
                    1000 / floorMillisAllCores,
                    bytesPerToken / 1e6,
                    bandwidthBoundTokensPerSecond(),
                    rounds);
        }

        private static double round(double v) {
            return Math.round(v * 100) / 100.0;
        }
    }

    private MachineSuite() {}

    /** Measures {@code rounds} rounds of every probe. */
    public static Result run(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be ≥ 1, got " + rounds);
        }
        GptConfig gpt2 = GptConfig.gpt2Small();
        List<Double> read = new ArrayList<>();
        List<Double> readOne = new ArrayList<>();
        List<Double> gemm = new ArrayList<>();
        List<Double> floorOne = new ArrayList<>();
        List<Double> floorAll = new ArrayList<>();
        long bytes;
        try (MachineProbe probe = new MachineProbe();
                ReadBandwidth oneThread = new ReadBandwidth(1);
                DecodeMatmulFloor floor = new DecodeMatmulFloor(gpt2)) {
            bytes = floor.bytes();
            for (int r = 0; r < rounds; r++) {
                read.add(probe.bandwidthGBs());
                MachineProbe.settle();
                readOne.add(oneThread.sampleGBs());
                gemm.add(probe.matmulGflops());
                floorOne.add(floorSample(floor, 1));
                floorAll.add(floorSample(floor, IntraOpThreads.cores()));
            }
        }
        return new Result(
                MachineProbe.cpuName(),
                IntraOpThreads.cores(),
                rounds,
                Stats.median(read),
                Stats.median(readOne),
                Stats.median(gemm),
                Stats.median(floorOne),
                Stats.median(floorAll),
                bytes);
    }

    /** The median of five floor steps on {@code threads} threads (after one untimed). */
    private static double floorSample(DecodeMatmulFloor floor, int threads) {
        IntraOpThreads.use(threads);
        floor.sampleMillis();
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = floor.sampleMillis();
        }
        return Stats.median(ms);
    }
}
