package dev.tinygpt.training;

/**
 * How a run got its corpus's tokens.
 *
 * @param tokens the corpus's length in tokens
 * @param dtype how the token file stores them, {@code uint16} or {@code uint32}
 * @param seconds the time tokenizing took; 0 when reused
 * @param reused whether a resume memory-mapped the token file a run wrote before
 */
public record TokenizedCorpus(int tokens, String dtype, double seconds, boolean reused) {}
