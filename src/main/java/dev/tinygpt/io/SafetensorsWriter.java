package dev.tinygpt.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes F32 tensors as a safetensors file (as F32 or F16), in the given order, with the header
 * padded by spaces to a multiple of 8 bytes as the reference implementation does (so tensor data
 * stays aligned). The file appears atomically: it is written beside the target and renamed over it.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Writes F32 arrays as F32. */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        write(file, tensors, false);
    }

    /**
     * @param file the file to write
     * @param tensors name to array, in the order to store them; every array must be F32
     * @param half store as F16 (half the bytes; values rounded to nearest even)
     */
    public static void write(Path file, Map<String, NDArray> tensors, boolean half)
            throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = e.getValue();
            if (array.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(
                        "tensor '" + e.getKey() + "' is " + array.getDataType() + ", expected F32");
            }
            long bytes = array.size() * (half ? 2 : 4);
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", half ? "F16" : "F32");
            JsonArray shape = new JsonArray();
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        String json = header.toString();
        int unpadded = json.getBytes(StandardCharsets.UTF_8).length;
        byte[] headerBytes =
                (json + " ".repeat((8 - unpadded % 8) % 8)).getBytes(StandardCharsets.UTF_8);

        AtomicFiles.write(
                file,
                out -> {
                    writeHeader(out, headerBytes);
                    for (NDArray array : tensors.values()) {
                        // toByteArray is in native order, which is little-endian on every platform
                        // libtorch's CPU build supports; safetensors is little-endian.
                        out.write(half ? toHalf(array) : array.toByteArray());
                    }
                });
    }

    private static byte[] toHalf(NDArray array) {
        float[] values = array.toFloatArray();
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putShort(HalfFloat.fromFloat(v));
        }
        return out.array();
    }

    private static void writeHeader(OutputStream out, byte[] headerBytes) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(0, headerBytes.length);
        out.write(length.array());
        out.write(headerBytes);
    }

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError(
                    "tinygpt writes safetensors on little-endian CPUs");
        }
    }
}
