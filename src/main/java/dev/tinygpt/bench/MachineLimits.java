package dev.tinygpt.bench;

/**
 * What the machine did in the same run as the benchmark, measured through the engine.
 *
 * @param cpu the CPU's model name ({@code /proc/cpuinfo}), or "unknown"
 * @param cores logical cores the JVM sees
 * @param engineThreads libtorch's intra-op threads
 * @param bandwidthGBs median sustained read bandwidth, GB/s (10⁹ bytes)
 * @param matmulGflops median fp32 matmul throughput, GFLOP/s
 */
public record MachineLimits(
        String cpu, int cores, int engineThreads, double bandwidthGBs, double matmulGflops) {}
