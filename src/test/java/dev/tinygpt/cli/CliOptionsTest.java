package dev.tinygpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinygpt.CliRunner;
import dev.tinygpt.CliRunner.Run;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.CharTokenizer;
import dev.tinygpt.tokenizer.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every command, checked from picocli's model of the CLI so a new option cannot
 * slip through: {@code --help} documents it (with its default), a value of the wrong type is a
 * one-line message naming the option, and each value-taking option has at least one out-of-range
 * case below that ends in one line on stderr and exit code 2 — or is listed with the reason any
 * value is fine.
 */
class CliOptionsTest {
    @TempDir static Path dir;
    private static Path model;
    private static Path charModel;
    private static Path corpus;
    private static Path badUtf8;
    private static Path words;
    private static int fresh;

    /** Options that take any value of their type, and why. */
    private static final Map<String, String> ANY_VALUE =
            Map.of(
                    "tokenize --text", "any text has ids (the empty text has none)",
                    "demo --prompt", "checked below through the tokenizer (unknown word, empty)",
                    "generate --seed", "every long is a seed",
                    "init --seed", "every long is a seed",
                    "train --seed", "every long is a seed");

    /** A bad value for an option, and what the one-line message must say. */
    record Case(String command, String option, String value, String message) {}

    private static List<Case> cases() {
        String missing = dir.resolve("missing").toString();
        String modelDir = model.toString();
        List<Case> c = new ArrayList<>();
        c.add(new Case("generate", "--model", missing, "model directory not found"));
        c.add(new Case("generate", "--prompt", "", "empty prompt"));
        c.add(new Case("generate", "--prompt", "the unicorn", "unknown word 'unicorn'"));
        c.add(new Case("generate", "--prompt-ids", "1,,2", "bad --prompt-ids value ''"));
        c.add(new Case("generate", "--prompt-ids", "1,20", "token id 20"));
        c.add(new Case("generate", "--prompt-file", missing, "prompt file not found"));
        c.add(
                new Case(
                        "generate",
                        "--prompt-file",
                        badUtf8.toString(),
                        "is not valid UTF-8: bad byte 0xFF at offset 8 (line 2)"));
        c.add(new Case("generate", "--prompt-file", dir.toString(), "is a directory"));
        c.add(new Case("generate", "--max-new-tokens", "-1", "--max-new-tokens must be 0 or more"));
        c.add(new Case("generate", "--temperature", "-0.5", "temperature must be ≥ 0"));
        c.add(new Case("generate", "--temperature", "NaN", "temperature must be ≥ 0, got NaN"));
        c.add(new Case("generate", "--temperature", "Infinity", "temperature must be finite"));
        c.add(new Case("generate", "--top-k", "-1", "--top-k must be ≥ 0"));
        c.add(new Case("generate", "--top-p", "0", "--top-p must be in (0, 1]"));
        c.add(new Case("generate", "--top-p", "1.01", "--top-p must be in (0, 1]"));
        c.add(
                new Case(
                        "generate",
                        "--repetition-penalty",
                        "0",
                        "--repetition-penalty must be > 0"));
        c.add(
                new Case(
                        "generate",
                        "--repetition-penalty",
                        "Infinity",
                        "--repetition-penalty must be finite"));
        c.add(
                new Case(
                        "generate",
                        "--no-repeat-ngram-size",
                        "-1",
                        "--no-repeat-ngram-size must be ≥ 0"));
        c.add(new Case("generate", "--stop", "", "a stop string must not be empty"));
        c.add(new Case("generate", "--num-beams", "0", "--num-beams must be ≥ 1"));
        c.add(new Case("generate", "--length-penalty", "NaN", "--length-penalty"));
        c.add(
                new Case(
                        "generate",
                        "--early-stopping",
                        "sometimes",
                        "bad --early-stopping 'sometimes'"));
        c.add(
                new Case(
                        "generate",
                        "--num-return-sequences",
                        "2",
                        "--num-return-sequences must be in [1, --num-beams = 1]"));
        c.add(new Case("generate", "--context-policy", "wrap", "bad --context-policy 'wrap'"));
        c.add(new Case("demo", "--model", missing, "model directory not found"));
        c.add(new Case("demo", "--max-new-tokens", "-3", "--max-new-tokens must be 0 or more"));
        c.add(new Case("demo", "--runs", "0", "--runs must be ≥ 1"));
        c.add(new Case("demo", "--warmup", "-1", "--warmup ≥ 0"));
        c.add(new Case("summary", "--model", missing, "model directory not found"));
        c.add(new Case("summary", "--preset", "gpt5", "unknown preset 'gpt5'"));
        c.add(new Case("init", "--preset", "gpt5", "unknown preset 'gpt5'"));
        c.add(new Case("init", "--out", "/proc/tinygpt-init", "cannot create model directory"));
        c.add(new Case("bench", "--suite", "fast", "bad --suite 'fast'"));
        c.add(new Case("bench", "--models", "gpt5", "unknown preset 'gpt5'"));
        c.add(new Case("bench", "--batches", "0", "--batches must be ≥ 1"));
        c.add(new Case("bench", "--max-tokens", "0", "--max-tokens must be ≥ 1"));
        c.add(new Case("bench", "--repeats", "0", "--repeats must be ≥ 1"));
        c.add(new Case("bench", "--warmup", "-1", "--warmup must be ≥ 0"));
        c.add(new Case("bench", "--out", "/proc/tinygpt-bench", "cannot create --out directory"));
        c.add(new Case("bench", "--soak-tokens", "0", "--soak-tokens must be ≥ 1"));
        c.add(new Case("bench", "--soak-calls", "0", "--soak-calls must be ≥ 1"));
        c.add(new Case("bench", "--model", missing, "model directory not found"));
        c.add(new Case("serve", "--model", missing, "model directory not found"));
        c.add(new Case("serve", "--port", "70000", "--port must be in [0, 65535], got 70000"));
        c.add(new Case("serve", "--max-batch", "0", "--max-batch must be ≥ 1, got 0"));
        c.add(new Case("serve", "--max-queue", "-1", "--max-queue must be ≥ 0, got -1"));
        c.add(new Case("serve", "--api-key", " ", "--api-key must not be empty"));
        c.add(
                new Case(
                        "serve",
                        "--served-model-name",
                        "",
                        "--served-model-name must not be empty"));
        c.add(new Case("serve", "--host", "bad host!", "bad --host 'bad host!'"));
        for (String command : List.of("generate", "demo", "bench", "serve")) {
            c.add(new Case(command, "--threads", "0", "--threads must be ≥ 1, got 0"));
        }
        c.add(new Case("bench", "--prompt-tokens", "0", "--prompt-tokens must be ≥ 1"));
        c.add(new Case("bench", "--decode-steps", "0", "--decode-steps must be ≥ 1"));
        c.add(new Case("bench", "--batch", "0", "--batch must be ≥ 1"));
        c.add(new Case("bench", "--clients", "1,0", "--clients must be ≥ 1, got 0"));
        c.add(new Case("bench", "--requests", "0", "--requests must be ≥ 1, got 0"));
        c.add(new Case("bench", "--url", "ftp://host/", "bad --url 'ftp://host/'"));
        c.add(new Case("tokenize", "--model", missing, "model directory not found"));
        c.add(new Case("tokenize", "--file", missing, "file not found"));
        c.add(new Case("tokenize", "--file", badUtf8.toString(), "is not valid UTF-8"));
        c.add(new Case("train", "--corpus", missing, "file not found"));
        c.add(new Case("train", "--corpus", badUtf8.toString(), "is not valid UTF-8"));
        c.add(new Case("train", "--out", "/proc/tinygpt-train", "cannot create output directory"));
        c.add(new Case("train", "--resume", missing, "no training run to resume"));
        c.add(new Case("train", "--preset", "huge", "unknown preset 'huge'"));
        c.add(new Case("train", "--layers", "0", "--layers must be positive"));
        c.add(new Case("train", "--layers", "5000", "--layers must be at most 1024"));
        c.add(new Case("train", "--heads", "3", "--d-model (64) must be divisible by --heads (3)"));
        c.add(new Case("train", "--d-model", "-8", "--d-model must be positive"));
        c.add(new Case("train", "--d-model", "100000", "would hold"));
        c.add(new Case("train", "--context", "0", "--context must be positive"));
        c.add(new Case("train", "--dropout", "1", "dropout must be in [0, 1)"));
        c.add(new Case("train", "--max-iters", "0", "--max-iters must be positive"));
        c.add(new Case("train", "--batch-size", "0", "--batch-size must be positive"));
        c.add(new Case("train", "--batch-size", "100000", "tokens per step is more than"));
        c.add(new Case("train", "--context", "20000", "attention scores per layer is more than"));
        c.add(new Case("train", "--eval-iters", "100000000", "evaluation tokens is more than"));
        c.add(
                new Case(
                        "bench",
                        "--soak-tokens",
                        "3000000000",
                        "Invalid value for option '--soak-tokens'"));
        c.add(new Case("train", "--lr", "Infinity", "--lr must be > 0 and finite"));
        c.add(new Case("train", "--min-lr", "-1", "--min-lr must be in"));
        c.add(new Case("train", "--warmup-iters", "-1", "--warmup-iters must be ≥ 0"));
        c.add(new Case("train", "--weight-decay", "NaN", "--weight-decay must be ≥ 0"));
        c.add(new Case("train", "--grad-clip", "-1", "--grad-clip must be ≥ 0"));
        c.add(new Case("train", "--eval-interval", "0", "--eval-interval must be positive"));
        c.add(new Case("train", "--eval-iters", "0", "--eval-iters must be positive"));
        c.add(new Case("train", "--val-fraction", "1", "--val-fraction must be in (0, 1)"));
        c.add(new Case("train", "--init-from", missing, "model directory not found"));
        c.add(
                new Case(
                        "train",
                        "--init-from",
                        modelDir,
                        "the corpus holds text the model's tokenizer cannot encode: unknown word"
                                + " 'To' (word 1)"));
        c.add(
                new Case(
                        "train",
                        "--lora-rank",
                        "0",
                        "--lora-rank (the LoRA rank) must be at least 1, got 0"));
        c.add(new Case("train", "--lora-alpha", "0", "--lora-alpha must be > 0 and finite"));
        c.add(new Case("train", "--lora-dropout", "1", "--lora-dropout must be in [0, 1)"));
        c.add(
                new Case(
                        "train",
                        "--lora-targets",
                        "c_attn,wte",
                        "--lora-targets: 'wte' names no projection of this model"));
        c.add(new Case("convert", "--model", missing, "model directory not found"));
        c.add(new Case("convert", "--out", modelDir, "--out must differ from --model"));
        c.add(new Case("convert", "--dtype", "f8", "bad --dtype 'f8'"));
        c.add(new Case("eval", "--model", missing, "model directory not found"));
        c.add(new Case("eval", "--file", missing, "file not found"));
        c.add(new Case("eval", "--file", badUtf8.toString(), "is not valid UTF-8"));
        c.add(new Case("eval", "--file", corpus.toString(), "unknown word 'To'"));
        c.add(new Case("eval", "--stride", "0", "--stride must be in [1, n_positions − 1 = 31]"));
        c.add(new Case("eval", "--stride", "32", "--stride must be in [1, n_positions − 1 = 31]"));
        c.add(new Case("eval", "--batch-size", "0", "--batch-size must be ≥ 1, got 0"));
        c.add(new Case("eval", "--threads", "0", "--threads must be ≥ 1, got 0"));
        c.add(new Case("train", "--threads", "0", "--threads must be ≥ 1, got 0"));
        for (String command : List.of("generate", "convert", "eval", "serve")) {
            c.add(new Case(command, "--adapter", missing, "adapter directory not found"));
            c.add(new Case(command, "--adapter", modelDir, "missing adapter_config.json"));
        }
        return c;
    }

    @BeforeAll
    static void makeFiles() throws Exception {
        model = dir.resolve("model");
        try (LanguageModel lm =
                LanguageModel.create(GptConfig.exercise(), 1, WordTokenizer.exercise())) {
            lm.save(model);
        }
        corpus = Files.writeString(dir.resolve("corpus.txt"), "To be, or not to be. ".repeat(200));
        charModel = dir.resolve("char-model");
        CharTokenizer chars = CharTokenizer.fromCorpus(Files.readString(corpus), false);
        try (LanguageModel lm =
                LanguageModel.create(
                        GptConfig.exercise().toBuilder().vocabSize(chars.vocabSize()).build(),
                        1,
                        chars)) {
            lm.save(charModel);
        }
        words = Files.writeString(dir.resolve("words.txt"), "the cat sat on the mat ".repeat(20));
        badUtf8 =
                Files.write(
                        dir.resolve("bad.txt"),
                        new byte[] {'t', 'h', 'e', ' ', 'c', 'a', 't', '\n', (byte) 0xFF});
    }

    @Test
    void helpDocumentsEveryOptionOfEveryCommand() {
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            Run r = CliRunner.run(e.getKey(), "--help");
            assertEquals(0, r.code(), e.getKey() + ": " + r.err());
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                String where = e.getKey() + " " + o.longestName();
                assertTrue(r.out().contains(o.longestName()), where + " is missing from --help");
                String description = String.join(" ", o.description()).strip();
                assertFalse(description.isEmpty(), where + " has no description");
                if (o.defaultValue() != null && o.arity().min() > 0) {
                    assertTrue(
                            description.contains("default"), where + " does not state its default");
                }
            }
        }
    }

    @Test
    void trainHelpStatesEveryDefaultWithTheDefaultPresetsValue() {
        Run r = CliRunner.run("train", "--help");
        String help = r.out().replaceAll("\\s+", " ");
        CommandLine train = commands().get("train");
        Preset preset = Presets.byName(NewRunOptions.DEFAULT_PRESET);
        TrainSettings settings =
                new TrainSettings(preset.config(), preset.training().orElseThrow(), false);
        for (String option : TrainSettings.optionNames()) {
            String description =
                    String.join(" ", train.getCommandSpec().findOption(option).description());
            assertTrue(
                    description.contains(
                                    NewRunOptions.DEFAULT_PRESET
                                            + ": "
                                            + settings.value(option)
                                            + ")")
                            || description.contains("(default: " + settings.value(option) + ")"),
                    option + ": " + description);
            assertTrue(help.contains(description.replaceAll("\\s+", " ")), option + " in " + help);
        }
        assertTrue(
                help.contains(
                        "--max-iters=N Optimizer steps; with --resume, the run's new"
                                + " total, at least its step (default: the preset's; char-small: 2000)."),
                help);
        for (OptionSpec o : train.getCommandSpec().options()) {
            boolean noDefault =
                    o.required()
                            || o.usageHelp()
                            || o.versionHelp()
                            || o.longestName().equals("--out")
                            || o.longestName().equals("--resume");
            assertTrue(
                    noDefault || String.join(" ", o.description()).contains("(default: "),
                    o.longestName() + " does not state its default");
        }
    }

    @Test
    void everyBadValueIsOneLineAndExitCode2() {
        Set<String> covered = new TreeSet<>();
        for (Case c : cases()) {
            expectBad(args(c.command(), c.option(), c.value()), c.message());
            covered.add(c.command() + " " + c.option());
        }
        // Values of the wrong type, for every option that takes a number.
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                Class<?> type = o.auxiliaryTypes()[0];
                boolean numeric = Number.class.isAssignableFrom(box(type));
                if (numeric) {
                    expectBad(
                            args(e.getKey(), o.longestName(), "x1"),
                            "Invalid value for option '" + o.longestName() + "'");
                }
            }
        }
        List<String> uncovered = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                String key = e.getKey() + " " + o.longestName();
                if (o.arity().min() > 0
                        && !o.usageHelp()
                        && !o.versionHelp()
                        && !covered.contains(key)
                        && !ANY_VALUE.containsKey(key)) {
                    uncovered.add(key);
                }
            }
        }
        assertEquals(List.of(), uncovered, "options without a bad-value case");
    }

    @Test
    void unknownOptionsCommandsAndMissingArgumentsAreOneLine() {
        expectBad(
                new String[] {
                    "generate", "--model", model.toString(), "--prompt", "the", "--temprature", "1"
                },
                "Unknown options: '--temprature', '1'; did you mean --temperature?");
        expectBad(new String[] {"frobnicate"}, "Unmatched argument");
        expectBad(new String[] {}, "a subcommand is required");
        expectBad(
                new String[] {"generate", "--prompt", "the"},
                "Missing required option: '--model=DIR'");
        expectBad(
                new String[] {
                    "generate", "--model", model.toString(), "--prompt", "a", "--prompt-ids", "1"
                },
                "mutually exclusive");
        expectBad(
                new String[] {
                    "generate", "--model", model.toString(), "--prompt", "the", "--max-new-tokens"
                },
                "Missing required parameter for option '--max-new-tokens'");
        expectBad(
                new String[] {
                    "generate",
                    "--model",
                    model.toString(),
                    "--prompt",
                    "the",
                    "--max-new-tokens",
                    "99999999999"
                },
                "Invalid value for option '--max-new-tokens'");
    }

    @Test
    void messagesAreOnePrintableLine() {
        assertEquals("a b \\u0007 \\u202E\\u2028 c", Main.oneLine("a\nb\r\u0007 \u202E\u2028 c"));
        String longest = Main.oneLine("x".repeat(5000));
        assertEquals(Main.MAX_MESSAGE + 1, longest.length());
        assertTrue(longest.endsWith("x…"));
        String escapes = Main.oneLine("\u0001".repeat(400));
        assertTrue(escapes.length() <= Main.MAX_MESSAGE + 1 && escapes.endsWith("…"), escapes);
    }

    /** The command's required arguments with valid values, then the option under test. */
    private static String[] args(String command, String option, String value) {
        Map<String, String> base = new LinkedHashMap<>();
        String out = dir.resolve("out-" + fresh++).toString();
        switch (command) {
            case "generate" -> {
                base.put("--model", model.toString());
                if (!option.startsWith("--prompt")) {
                    base.put("--prompt", "the cat");
                }
                if (List.of("--length-penalty", "--early-stopping").contains(option)) {
                    base.put("--num-beams", "2"); // they apply to beam search only
                }
            }
            case "demo" -> base.put("--model", model.toString());
            case "serve" -> base.put("--model", model.toString());
            case "bench" -> {
                if (List.of("--model", "--prompt-tokens", "--decode-steps", "--batch")
                        .contains(option)) {
                    base.put("--suite", "profile");
                    base.put("--model", model.toString());
                }
                if (List.of("--clients", "--requests", "--url").contains(option)) {
                    base.put("--suite", "serve"); // checked before a server starts
                    if (!option.equals("--url")) {
                        base.put("--model", model.toString());
                    }
                }
            }
            case "summary" -> {
                if (!option.equals("--model") && !option.equals("--preset")) {
                    base.put("--preset", "exercise");
                }
            }
            case "init" -> {
                base.put("--preset", "exercise");
                base.put("--out", out);
            }
            case "tokenize" -> {
                base.put("--model", model.toString());
                if (!option.equals("--file")) {
                    base.put("--text", "the cat");
                }
            }
            case "train" -> {
                base.put("--corpus", corpus.toString());
                if (!option.equals("--resume")) {
                    base.put("--out", out);
                }
                if (option.equals("--init-from")) {
                    break; // a fine-tune takes its shape from the model: no --preset
                } else if (option.startsWith("--lora-")) {
                    base.put("--init-from", charModel.toString());
                    base.put("--lora-rank", "2");
                } else {
                    base.put("--preset", "char-tiny");
                }
            }
            case "convert" -> {
                base.put("--model", model.toString());
                base.put("--out", out);
            }
            case "eval" -> {
                base.put("--model", model.toString());
                base.put("--file", words.toString());
            }
            default -> {}
        }
        base.put(option, value);
        List<String> list = new ArrayList<>(List.of(command));
        base.forEach(
                (k, v) -> {
                    list.add(k);
                    list.add(v);
                });
        return list.toArray(String[]::new);
    }

    private static void expectBad(String[] args, String message) {
        Run r = CliRunner.run(args);
        String what = String.join(" ", args);
        assertEquals(2, r.code(), what + " -> " + r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), what + " -> " + r.err());
        assertTrue(r.err().startsWith("tinygpt: "), what + " -> " + r.err());
        assertTrue(r.err().contains(message), what + " -> " + r.err());
    }

    private static Map<String, CommandLine> commands() {
        Map<String, CommandLine> map =
                new LinkedHashMap<>(new CommandLine(new Main()).getSubcommands());
        map.remove("help");
        return map;
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "float" -> Float.class;
            case "double" -> Double.class;
            default -> Object.class;
        };
    }
}
