package dev.tinygpt.sampling;

/**
 * HF's {@code TopKLogitsWarper} (min_tokens_to_keep 1): with {@code k' = min(k, V)}, every logit
 * strictly below the k'-th largest becomes {@code -inf}. Ties with the k'-th value survive, as HF's
 * {@code logits < topk(logits, k)[..., -1, None]}, so more than k tokens can stay.
 *
 * <p>The k'-th largest comes from one pass with a min-heap of the k' largest values seen, {@code
 * O(V log k)} at worst and about {@code O(V)} on real logits, not a sort of the whole row.
 */
public record TopK(int k) implements LogitsProcessor {

    public TopK {
        if (k < 1) {
            throw new IllegalArgumentException("top_k must be ≥ 1, got " + k);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        float kth = kthLargest(logits, Math.min(k, logits.length));
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** The k-th largest value, counting repeats (what a descending sort has at index k-1). */
    static float kthLargest(float[] values, int k) {
        float[] heap = new float[k]; // a min-heap: heap[0] is the smallest of the k largest
        int size = 0;
        for (float x : values) {
            if (size < k) {
                int i = size++;
                heap[i] = x;
                while (i > 0 && heap[(i - 1) / 2] > heap[i]) { // sift up
                    swap(heap, i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
            } else if (x > heap[0]) {
                heap[0] = x;
                int i = 0;
                while (true) { // sift down
                    int smallest = i;
                    int left = 2 * i + 1;
                    if (left < k && heap[left] < heap[smallest]) {
                        smallest = left;
                    }
                    if (left + 1 < k && heap[left + 1] < heap[smallest]) {
                        smallest = left + 1;
                    }
                    if (smallest == i) {
                        break;
                    }
                    swap(heap, i, smallest);
                    i = smallest;
                }
            }
        }
        return heap[0];
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
