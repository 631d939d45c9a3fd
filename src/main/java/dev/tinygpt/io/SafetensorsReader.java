package dev.tinygpt.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON mapping each
 * tensor name to {@code {dtype, shape, data_offsets}}, then the data. The header is validated
 * completely (sizes, offsets, byte counts, duplicate names) before anything is allocated, and each
 * tensor is read straight into the direct buffer its array keeps, so the weights are held in memory
 * once. F32, F16 and BF16 tensors load; half precision is widened to F32.
 *
 * <p>Every error is an {@link IllegalArgumentException} naming the file and the problem.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** Headers of real checkpoints are kilobytes; anything this large is corrupt. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsReader(
            Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
    }

    /** Opens and validates a safetensors file. */
    public static SafetensorsReader open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw bad(file, "missing weights file");
        }
        if (!Files.isRegularFile(file)) {
            throw bad(file, "not a regular file"); // a FIFO would block the open forever
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw bad(file, "missing weights file");
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > size - 8) {
                throw bad(
                        file,
                        "header length "
                                + Long.toUnsignedString(headerLength)
                                + " does not fit a file of "
                                + size
                                + " bytes (truncated or not safetensors)");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + headerLength + " bytes is implausibly large");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8, file);
            String json = TextFiles.decodeUtf8(header.array(), file + ": header");
            long dataSize = size - 8 - headerLength;
            Map<String, TensorInfo> tensors = parseHeader(json, dataSize, file);
            return new SafetensorsReader(file, channel, 8 + headerLength, tensors);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * Reads one tensor as F32 into {@code manager}.
     *
     * @throws IllegalArgumentException if the name is not in the file
     */
    public NDArray readFloat32(String name, NDManager manager) throws IOException {
        if (!channel.isOpen()) {
            throw new IllegalStateException("this SafetensorsReader of " + file + " is closed");
        }
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw bad(file, "no tensor named '" + name + "'");
        }
        Shape shape = new Shape(info.shape());
        if (info.byteLength() == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        // Read (not mapped) into a direct buffer that the array then owns: the file's pages stay
        // in the kernel's cache instead of this process, so the weights are resident once.
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(info.byteLength()));
        readFully(channel, bytes, dataStart + info.begin(), file);
        bytes.rewind();
        bytes.order(ByteOrder.LITTLE_ENDIAN);
        return switch (info.dtype()) {
            case "F32" -> manager.create(bytes, shape, DataType.FLOAT32);
                // Widened in Java: exact, and independent of the engine's half-precision support.
            case "F16" -> manager.create(widen(bytes.asShortBuffer(), false), shape);
            case "BF16" -> manager.create(widen(bytes.asShortBuffer(), true), shape);
            default -> throw new AssertionError("dtype checked in the header: " + info.dtype());
        };
    }

    /** Widens IEEE half (F16) or bfloat16 (BF16) bit patterns to float32 values. */
    static float[] widen(ShortBuffer halves, boolean bfloat16) {
        float[] out = new float[halves.remaining()];
        for (int i = 0; i < out.length; i++) {
            int bits = halves.get(i) & 0xFFFF;
            out[i] = bfloat16 ? Float.intBitsToFloat(bits << 16) : HalfFloat.toFloat(bits);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static Map<String, TensorInfo> parseHeader(String json, long dataSize, Path file) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if ("__metadata__".equals(name)) {
                    reader.skipValue();
                    continue;
                }
                if (tensors.containsKey(name)) {
                    throw bad(file, "tensor '" + name + "' appears twice in the header");
                }
                tensors.put(name, parseEntry(reader, name, dataSize, file));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw bad(file, "unexpected content after the header object");
            }
        } catch (MalformedJsonException
                | EOFException
                | IllegalStateException
                | NumberFormatException e) {
            throw bad(file, "header is not valid JSON: " + TextFiles.jsonProblem(e));
        } catch (IOException e) {
            throw bad(file, "header could not be read: " + e.getMessage());
        }
        checkNoOverlap(tensors, file);
        return tensors;
    }

    private static TensorInfo parseEntry(JsonReader reader, String name, long dataSize, Path file)
            throws IOException {
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "dtype" -> dtype = reader.nextString();
                case "shape" -> shape = readLongs(reader);
                case "data_offsets" -> offsets = readLongs(reader);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw bad(file, "tensor '" + name + "' lacks dtype, shape or data_offsets");
        }
        int width =
                switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default ->
                            throw bad(
                                    file,
                                    "tensor '"
                                            + name
                                            + "' has unsupported dtype "
                                            + dtype
                                            + " (tinygpt loads F32, F16 and BF16)");
                };
        for (long d : shape) {
            if (d < 0) {
                throw bad(file, "tensor '" + name + "' has a negative dimension in its shape");
            }
        }
        if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw bad(file, "tensor '" + name + "' has invalid data_offsets");
        }
        if (offsets[1] > dataSize) {
            throw bad(
                    file,
                    "tensor '"
                            + name
                            + "' ends at byte "
                            + offsets[1]
                            + " but the data section has only "
                            + dataSize
                            + " bytes (truncated file?)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), width);
        } catch (ArithmeticException e) {
            throw bad(file, "tensor '" + name + "' has a shape too large to exist");
        }
        if (expected != info.byteLength()) {
            throw bad(
                    file,
                    "tensor '"
                            + name
                            + "' of shape "
                            + Arrays.toString(shape)
                            + " and dtype "
                            + dtype
                            + " needs "
                            + expected
                            + " bytes but its offsets span "
                            + info.byteLength());
        }
        return info;
    }

    private static long[] readLongs(JsonReader reader) throws IOException {
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            values.add(reader.nextLong());
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void checkNoOverlap(Map<String, TensorInfo> tensors, Path file) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw bad(
                        file,
                        "tensors '"
                                + prev.name()
                                + "' and '"
                                + cur.name()
                                + "' overlap in the data");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw bad(file, "file ended early");
            }
            at += n;
        }
    }

    static IllegalArgumentException bad(Path file, String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }
}
