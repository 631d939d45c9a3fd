package dev.tinygpt.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header: the tensor's dtype, shape and byte range within the data
 * section (offsets relative to the end of the header).
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    /** Number of elements, the product of the shape (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
