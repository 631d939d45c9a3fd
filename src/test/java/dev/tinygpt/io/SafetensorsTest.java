package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    @Test
    void writeThenReadRoundTrips() throws Exception {
        Path file = dir.resolve("t.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("a", m.create(new float[] {1, 2, 3, 4, 5, 6}).reshape(2, 3));
            tensors.put("b.weight", m.create(new float[] {-1.5f}));
            SafetensorsWriter.write(file, tensors);
            long headerLength =
                    ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong();
            assertEquals(0, (8 + headerLength) % 8, "data starts 8-byte aligned");
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                assertEquals(
                        java.util.List.of("a", "b.weight"),
                        java.util.List.copyOf(r.tensors().keySet()));
                NDArray a = r.readFloat32("a", m);
                assertEquals(new ai.djl.ndarray.types.Shape(2, 3), a.getShape());
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray());
                assertArrayEquals(new float[] {-1.5f}, r.readFloat32("b.weight", m).toFloatArray());
            }
        }
    }

    @Test
    void readsHalfPrecisionAsFloat32() throws Exception {
        // 1.0, -2.0 in F16 (0x3C00, 0xC000) and in BF16 (0x3F80, 0xC000)
        Path file =
                write(
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
                        new byte[] {
                            0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0x80, 0x3F, 0x00, (byte) 0xC0
                        });
        try (SafetensorsReader r = SafetensorsReader.open(file);
                NDManager m = NDManager.newBaseManager()) {
            NDArray h = r.readFloat32("h", m);
            assertEquals(DataType.FLOAT32, h.getDataType());
            assertArrayEquals(new float[] {1f, -2f}, h.toFloatArray());
            assertArrayEquals(new float[] {1f, -2f}, r.readFloat32("b", m).toFloatArray());
        }
    }

    @Test
    void halfToFloatCoversEveryClass() {
        assertEquals(1f, HalfFloat.toFloat(0x3C00));
        assertEquals(-2f, HalfFloat.toFloat(0xC000));
        assertEquals(65504f, HalfFloat.toFloat(0x7BFF)); // largest normal
        assertEquals(0x1p-24f, HalfFloat.toFloat(0x0001)); // smallest subnormal
        assertEquals(0x1p-14f, HalfFloat.toFloat(0x0400)); // smallest normal
        assertEquals(Float.POSITIVE_INFINITY, HalfFloat.toFloat(0x7C00));
        assertEquals(-0f, HalfFloat.toFloat(0x8000));
        assertTrue(Float.isNaN(HalfFloat.toFloat(0x7E00)));
        // Exhaustive: widening then narrowing with the JDK's rounding gives back every finite
        // value.
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloat.toFloat(bits);
            if (!Float.isNaN(f)) {
                assertEquals(f, (float) (double) f);
            }
        }
    }

    @Test
    void malformedFilesGiveErrorsNamingFileAndProblem() throws Exception {
        assertProblem(
                Files.write(dir.resolve("short"), new byte[] {1, 2}),
                "too short for a safetensors header");
        assertProblem(writeRaw(Long.MAX_VALUE, new byte[8]), "does not fit a file of");
        assertProblem(writeRaw(-5, new byte[8]), "does not fit a file of");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        new byte[8]),
                "ends at byte 16 but the data section has only 8 bytes");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        new byte[8]),
                "needs 12 bytes but its offsets span 8");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                        new byte[8]),
                "unsupported dtype I64");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]),
                "appears twice");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]),
                "overlap");
        assertProblem(write("{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "negative dimension");
        assertProblem(
                write(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "too large");
        assertProblem(dir.resolve("missing.safetensors"), "missing weights file");
    }

    private void assertProblem(Path file, String problem) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> {
                            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                                r.tensors();
                            }
                        });
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    private int counter;

    private Path write(String header, byte[] data) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.write(json);
        out.write(data);
        return Files.write(dir.resolve("f" + (counter++) + ".safetensors"), out.toByteArray());
    }

    private Path writeRaw(long headerLength, byte[] rest) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(headerLength)
                        .array());
        out.write(rest);
        return Files.write(dir.resolve("raw" + (counter++) + ".safetensors"), out.toByteArray());
    }
}
