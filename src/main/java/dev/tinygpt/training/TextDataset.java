package dev.tinygpt.training;

import dev.tinygpt.io.TokenIds;
import java.util.Random;

/**
 * A corpus as token ids, split as nanoGPT's {@code prepare.py} does: the first {@code
 * trainFraction} of the ids (rounded down) for training, the rest for validation. {@link #sample}
 * draws a batch of random windows from one split, with targets shifted by one token, as nanoGPT's
 * {@code get_batch}. The ids may be memory-mapped ({@link dev.tinygpt.io.TokenFile}): windows are
 * copied out of them.
 */
public final class TextDataset {
    /** nanoGPT's split: 90% train, 10% validation. */
    public static final double DEFAULT_TRAIN_FRACTION = 0.9;

    public enum Split {
        TRAIN,
        VALIDATION;

        String label() {
            return this == TRAIN ? "train" : "validation";
        }
    }

    /**
     * One batch: {@code inputs[b]} is a window of {@code context} ids, {@code targets[b][t]} the id
     * after {@code inputs[b][t]}.
     *
     * @param inputs (B, T) token ids
     * @param targets (B, T) next-token ids
     */
    public record Batch(int[][] inputs, int[][] targets) {
        public Batch {
            if (inputs.length != targets.length) {
                throw new IllegalArgumentException(
                        inputs.length + " input rows but " + targets.length + " target rows");
            }
        }
    }

    private final TokenIds ids;
    private final int trainSize;

    /**
     * @param ids the whole corpus as token ids; copied
     * @param trainFraction share of the ids, from the start, that goes to training, in (0, 1)
     */
    public TextDataset(int[] ids, double trainFraction) {
        this(TokenIds.of(ids.clone()), trainFraction);
    }

    /**
     * @param ids the whole corpus as token ids, not copied
     * @param trainFraction share of the ids, from the start, that goes to training, in (0, 1)
     */
    public TextDataset(TokenIds ids, double trainFraction) {
        if (ids.size() == 0) {
            throw new IllegalArgumentException("the corpus is empty");
        }
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException(
                    "the train fraction must be in (0, 1), got " + trainFraction);
        }
        this.ids = ids;
        this.trainSize = (int) (ids.size() * trainFraction); // nanoGPT: int(n * 0.9)
    }

    /** Number of tokens in a split. */
    public int size(Split split) {
        return split == Split.TRAIN ? trainSize : ids.size() - trainSize;
    }

    /**
     * @throws IllegalArgumentException if a split is too short for one window of {@code context}
     *     tokens and its shifted target
     */
    public void requireContext(int context) {
        if (context < 1) {
            throw new IllegalArgumentException("the context must be at least 1, got " + context);
        }
        for (Split split : Split.values()) {
            requireWindow(split, context);
        }
    }

    /**
     * {@code batchSize} windows, each starting uniformly in {@code [0, size - context - 1]} of the
     * split, drawn in order from {@code random}.
     */
    public Batch sample(Split split, int batchSize, int context, Random random) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "the batch size must be at least 1, got " + batchSize);
        }
        if (context < 1) {
            throw new IllegalArgumentException("the context must be at least 1, got " + context);
        }
        requireWindow(split, context);
        int offset = split == Split.TRAIN ? 0 : trainSize;
        int[][] inputs = new int[batchSize][];
        int[][] targets = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            int start = offset + random.nextInt(size(split) - context); // 0 … n - context - 1
            inputs[b] = ids.copy(start, context);
            targets[b] = ids.copy(start + 1, context);
        }
        return new Batch(inputs, targets);
    }

    private void requireWindow(Split split, int context) {
        int n = size(split);
        if (n < context + 1) {
            throw new IllegalArgumentException(
                    "the "
                            + split.label()
                            + " split has "
                            + n
                            + " tokens but a context of "
                            + context
                            + " needs at least "
                            + (context + 1)
                            + "; use a longer corpus or a shorter context");
        }
    }
}
