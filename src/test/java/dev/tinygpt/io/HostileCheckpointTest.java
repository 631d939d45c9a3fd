package dev.tinygpt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tinygpt.Mutations;
import dev.tinygpt.Mutations.Mutant;
import dev.tinygpt.TestModels;
import dev.tinygpt.config.Activation;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.GptConfigJson;
import dev.tinygpt.generation.GenerationOptions;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.reference.HfCheckpoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile checkpoints, fuzz-style: truncated files, huge or negative header lengths, wrong dtypes,
 * shapes that disagree with the byte count, offsets past the end, duplicate names, invalid JSON,
 * damaged {@code config.json} and shard indexes, and hundreds of seeded random mutations of real
 * files. Every one either loads (damage to the float data is not detectable, and the model then
 * runs) or ends in an {@link IllegalArgumentException} naming the file — within a few seconds,
 * without an {@code OutOfMemoryError}, and without leaving an NDArray behind.
 */
class HostileCheckpointTest {
    private static final GptConfig CONFIG = TestModels.small(2, 16, Activation.GELU_NEW, false);
    private static final int RANDOM_CASES = 500;

    /** Distinct refusal messages, numbers masked, across the random cases. */
    private static final java.util.Set<String> PROBLEMS =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    @TempDir static Path root;
    private static byte[] weights;
    private static byte[] config;
    private static int headerEnd;

    @BeforeAll
    static void makeModel() throws Exception {
        Path good = root.resolve("good");
        try (LanguageModel lm = LanguageModel.create(CONFIG, 5, null)) {
            lm.save(good);
        }
        weights = Files.readAllBytes(good.resolve("model.safetensors"));
        config = Files.readAllBytes(good.resolve("config.json"));
        headerEnd = 8 + (int) ByteBuffer.wrap(weights).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static Stream<Arguments> hostileHeaders() {
        String f32 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        return Stream.of(
                Arguments.of("not an object", "[1, 2]", "not valid JSON"),
                Arguments.of("empty", "", "does not fit"),
                Arguments.of("a tensor that is a number", "{\"a\":5}", "not valid JSON"),
                Arguments.of(
                        "shape not an array",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}",
                        "not valid JSON"),
                Arguments.of(
                        "fractional dimension",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}",
                        "not valid JSON"),
                Arguments.of(
                        "dimension beyond long",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}",
                        "not valid JSON"),
                Arguments.of(
                        "shape overflowing long",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                        "too large"),
                Arguments.of(
                        "negative dimension",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                        "negative dimension"),
                Arguments.of(
                        "dtype a number",
                        "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "unsupported dtype 4"),
                Arguments.of(
                        "dtype int",
                        "{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "unsupported dtype I32"),
                Arguments.of(
                        "missing offsets",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}",
                        "lacks dtype, shape or data_offsets"),
                Arguments.of(
                        "three offsets",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
                        "invalid data_offsets"),
                Arguments.of(
                        "reversed offsets",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                        "invalid data_offsets"),
                Arguments.of(
                        "negative offset",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",
                        "invalid data_offsets"),
                Arguments.of(
                        "offsets past the end",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9223372036854775807]}}",
                        "but the data section has only 8 bytes"),
                Arguments.of(
                        "shape and bytes disagree",
                        "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "needs 4 bytes but its offsets span 8"),
                Arguments.of(
                        "duplicate names",
                        "{\"a\":" + f32 + ",\"a\":" + f32 + "}",
                        "appears twice"),
                Arguments.of(
                        "overlapping tensors", "{\"a\":" + f32 + ",\"b\":" + f32 + "}", "overlap"),
                Arguments.of("trailing garbage", "{\"a\":" + f32 + "} x", "not valid JSON"),
                Arguments.of("unterminated", "{\"a\":" + f32, "not valid JSON"),
                Arguments.of(
                        "deep nesting",
                        "{\"__metadata__\":" + "[".repeat(100_000),
                        "not valid JSON"),
                Arguments.of("lenient JSON", "{a:" + f32 + "}", "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileHeaders")
    void hostileHeadersAreErrorsNamingFileAndProblem(String what, String header, String problem)
            throws Exception {
        Path dir = modelWith(what, header(header, new byte[8]), config);
        String message = loadError(dir);
        assertTrue(message.startsWith(dir.resolve("model.safetensors").toString()), message);
        assertTrue(message.contains(problem), message);
    }

    @Test
    void headerLengthsThatCannotFitAreRefusedBeforeAllocating() throws Exception {
        for (long length : new long[] {0, -1, -8, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40}) {
            byte[] bytes = weights.clone();
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            Path dir = modelWith("length " + length, bytes, config);
            String message = loadError(dir);
            assertTrue(message.contains("does not fit a file of"), message);
        }
        byte[] invalidUtf8 = header("{\"a\":\"\u00e9\"}", new byte[0]);
        invalidUtf8[11] = (byte) 0xC3; // a lead byte followed by '"': malformed UTF-8
        assertTrue(loadError(modelWith("utf8", invalidUtf8, config)).contains("not valid UTF-8"));
        Path notAFile = modelWith("directory", weights, config);
        Files.delete(notAFile.resolve("model.safetensors"));
        Files.createDirectory(notAFile.resolve("model.safetensors"));
        assertTrue(loadError(notAFile).contains("not a regular file"));
    }

    @Test
    void randomlyDamagedWeightsLoadOrFailNamingTheFile() throws Exception {
        PROBLEMS.clear(); // counted for this test's summary line only
        int before = TestModels.liveArrays();
        Random random = new Random(20261201);
        int loaded = 0;
        for (int i = 0; i < RANDOM_CASES; i++) {
            Mutant m =
                    i % 5 == 0
                            ? Mutations.headerLength(weights, random)
                            : Mutations.mutate(weights, 0, headerEnd, random);
            Path dir = modelWith("w" + i, m.bytes(), config);
            loaded += loadsOrFailsNaming(dir, dir.resolve("model.safetensors"), m) ? 1 : 0;
        }
        // Damage past the header is only float data: those all load.
        for (int i = 0; i < 20; i++) {
            Mutant m = Mutations.mutate(weights, headerEnd, weights.length, random);
            if (m.bytes().length == weights.length) {
                Path dir = modelWith("d" + i, m.bytes(), config);
                assertTrue(
                        loadsOrFailsNaming(dir, dir.resolve("model.safetensors"), m),
                        m::description);
            }
        }
        System.out.printf(
                "HostileCheckpointTest: %d damaged headers, %d loaded, %d refused with %d kinds of"
                        + " message%n",
                RANDOM_CASES, loaded, RANDOM_CASES - loaded, PROBLEMS.size());
        assertTrue(loaded < RANDOM_CASES / 2, "most damaged headers must be refused: " + loaded);
        assertEquals(before, TestModels.liveArrays(), "a failed load leaves no arrays");
    }

    @Test
    void randomlyDamagedConfigsLoadOrFailNamingTheDirectory() throws Exception {
        int before = TestModels.liveArrays();
        Random random = new Random(7);
        for (int i = 0; i < RANDOM_CASES; i++) {
            Mutant m = Mutations.mutate(config, 0, config.length, random);
            Path dir = modelWith("c" + i, weights, m.bytes());
            loadsOrFailsNaming(dir, dir, m);
        }
        assertEquals(before, TestModels.liveArrays());
    }

    static Stream<Arguments> hostileConfigs() {
        String good = GptConfigJson.toJson(CONFIG);
        return Stream.of(
                Arguments.of("empty", "", "config is not a JSON object"),
                Arguments.of("null", "null", "config is not a JSON object"),
                Arguments.of("an array", "[]", "config is not a JSON object"),
                Arguments.of("truncated", good.substring(0, good.length() / 2), "not valid JSON"),
                Arguments.of("deep nesting", "{\"a\":" + "[".repeat(100_000), "not valid JSON"),
                Arguments.of("binary", "\u0000\u0001\u0002", "config is not a JSON object"),
                Arguments.of(
                        "layers huge",
                        good.replace("\"n_layer\": 2", "\"n_layer\": 2000000000"),
                        "n_layer must be at most"),
                Arguments.of(
                        "layers negative",
                        good.replace("\"n_layer\": 2", "\"n_layer\": -2"),
                        "n_layer must be positive"),
                Arguments.of(
                        "width a string",
                        good.replace("\"n_embd\": 32", "\"n_embd\": \"32\""),
                        "n_embd must be an integer"),
                Arguments.of(
                        "width a list",
                        good.replace("\"n_embd\": 32", "\"n_embd\": [32]"),
                        "n_embd must be a single value"),
                Arguments.of(
                        "width beyond int",
                        good.replace("\"n_embd\": 32", "\"n_embd\": 1e300"),
                        "n_embd must be an integer"),
                Arguments.of(
                        "width fractional",
                        good.replace("\"n_embd\": 32", "\"n_embd\": 32.5"),
                        "n_embd must be an integer"),
                Arguments.of(
                        "heads not dividing",
                        good.replace("\"n_head\": 2", "\"n_head\": 3"),
                        "divisible"),
                Arguments.of(
                        "epsilon zero",
                        good.replace("1.0E-5", "0"),
                        "layer_norm_epsilon must be a positive number"),
                Arguments.of(
                        "epsilon overflowing float",
                        good.replace("1.0E-5", "1e39"),
                        "layer_norm_epsilon must be a positive number"),
                Arguments.of(
                        "eos outside the vocabulary",
                        good.replace(
                                "\"vocab_size\": 50", "\"vocab_size\": 50, \"eos_token_id\": 50"),
                        "eos_token_id"),
                Arguments.of(
                        "unknown activation",
                        good.replace("gelu_new", "swish"),
                        "unknown activation_function 'swish'"),
                Arguments.of(
                        "another architecture",
                        good.replace("\"model_type\": \"gpt2\"", "\"model_type\": \"llama\""),
                        "unsupported model_type 'llama'"),
                Arguments.of(
                        "wider than the weights",
                        good.replace("\"n_embd\": 32", "\"n_embd\": 64"),
                        "config.json implies"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileConfigs")
    void hostileConfigsAreErrorsNamingFileAndProblem(String what, String json, String problem)
            throws Exception {
        Path dir = modelWith(what, weights, json.getBytes(StandardCharsets.UTF_8));
        String message = loadError(dir);
        assertTrue(message.startsWith(dir.toString()), message);
        assertTrue(message.contains(problem), message);
    }

    @Test
    void configThatIsNotUtf8OrNotAFileIsNamed() throws Exception {
        byte[] latin1 =
                new String(config, StandardCharsets.UTF_8)
                        .replace("gpt2", "gpt\u00e92")
                        .getBytes(StandardCharsets.ISO_8859_1);
        Path dir = modelWith("latin1", weights, latin1);
        assertTrue(loadError(dir).contains(dir.resolve("config.json") + " is not valid UTF-8"));
        Files.delete(dir.resolve("config.json"));
        Files.createDirectory(dir.resolve("config.json"));
        assertTrue(loadError(dir).contains("not a regular file"), loadError(dir));
    }

    @Test
    void damagedShardIndexesAreNamed() throws Exception {
        GptConfig tied =
                GptConfig.builder()
                        .vocabSize(64)
                        .contextLength(8)
                        .layers(2)
                        .heads(2)
                        .dModel(16)
                        .mlpHidden(32)
                        .build();
        Path sharded = root.resolve("sharded");
        HfCheckpoint.write(sharded, tied, HfCheckpoint.Dtype.F32, 2, 1);
        Path index = sharded.resolve("model.safetensors.index.json");
        String good = Files.readString(index);
        String shard = "model-00001-of-00002.safetensors";
        List<String[]> cases = new ArrayList<>();
        cases.add(
                new String[] {
                    good.replace(shard, "../../etc/passwd"), "outside the model directory"
                });
        cases.add(new String[] {good.replace(shard, "/etc/passwd"), "outside the model directory"});
        cases.add(
                new String[] {good.replace(shard, "missing.safetensors"), "missing weights file"});
        cases.add(
                new String[] {
                    good.replace("weight_map", "weights"), "has no \"weight_map\" object"
                });
        cases.add(new String[] {"{\"weight_map\": {}}", "weight_map is empty"});
        cases.add(new String[] {"{\"weight_map\": {\"wte.weight\": 5}}", "is not a file name"});
        cases.add(new String[] {good.substring(0, good.length() / 2), "not valid JSON"});
        for (String[] c : cases) {
            Files.writeString(index, c[0]);
            String message = loadError(sharded);
            assertTrue(message.contains(c[1]), message);
            assertTrue(message.contains(sharded.toString()), message);
        }
        Random random = new Random(3);
        byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 50; i++) {
            Mutant m = Mutations.mutate(bytes, 0, bytes.length, random);
            Files.write(index, m.bytes());
            loadsOrFailsNaming(sharded, sharded, m);
        }
    }

    /** A new model directory holding these files. */
    private static Path modelWith(String name, byte[] weightBytes, byte[] configBytes)
            throws Exception {
        Path dir = Files.createDirectories(root.resolve("case-" + name.replaceAll("\\W", "_")));
        Files.write(dir.resolve("model.safetensors"), weightBytes);
        Files.write(dir.resolve("config.json"), configBytes);
        return dir;
    }

    private static byte[] header(String json, byte[] data) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + text.length + data.length);
        b.order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).put(text).put(data);
        return b.array();
    }

    /** The message of the load's IllegalArgumentException; fails on success or anything else. */
    private static String loadError(Path dir) {
        return assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> {
                    try (LanguageModel lm = LanguageModel.load(dir)) {
                        return fail("loaded " + dir + " (" + lm.config() + ")");
                    } catch (IllegalArgumentException e) {
                        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
                        return e.getMessage();
                    }
                });
    }

    /**
     * Loads {@code dir} and runs a step, or expects an IllegalArgumentException naming {@code
     * culprit}; anything else (another exception, an Error, a hang) fails. Returns whether it
     * loaded.
     */
    private static boolean loadsOrFailsNaming(Path dir, Path culprit, Mutant m) {
        return assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> {
                    try (LanguageModel lm = LanguageModel.load(dir)) {
                        lm.generate(new int[] {1, 2}, GenerationOptions.greedy(2));
                        return true;
                    } catch (IllegalArgumentException e) {
                        String message = e.getMessage();
                        assertTrue(
                                message.contains(culprit.toString()),
                                () ->
                                        m.description()
                                                + ": message does not name "
                                                + culprit
                                                + ": "
                                                + message);
                        assertEquals(
                                1, message.lines().count(), () -> m.description() + ": " + message);
                        PROBLEMS.add(
                                message.replace(culprit.toString(), "").replaceAll("[0-9]+", "N"));
                        return false;
                    } catch (Throwable t) {
                        throw new AssertionError(m.description() + " in " + dir + ": " + t, t);
                    }
                },
                () -> m.description() + " in " + dir + " did not finish");
    }
}
