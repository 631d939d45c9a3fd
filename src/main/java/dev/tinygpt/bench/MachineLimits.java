package dev.tinygpt.bench;

import dev.tinygpt.engine.IntraOpThreads;

/**
 * What the machine did in the same run as the benchmark, measured through the engine.
 *
 * @param cpu the CPU's model name ({@code /proc/cpuinfo}), or "unknown"
 * @param cores logical cores the JVM sees
 * @param threads libtorch's intra-op threads per step ({@link IntraOpThreads#describe})
 * @param bandwidthGBs median sustained read bandwidth, GB/s (10⁹ bytes), STREAM-class on every core
 * @param matmulGflops median fp32 matmul throughput, GFLOP/s
 */
public record MachineLimits(
        String cpu, int cores, String threads, double bandwidthGBs, double matmulGflops) {}
