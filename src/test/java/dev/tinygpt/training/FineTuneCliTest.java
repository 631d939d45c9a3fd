package dev.tinygpt.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tinygpt.CliRunner;
import dev.tinygpt.generation.LanguageModel;
import dev.tinygpt.tokenizer.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init-from} and LoRA through the CLI: what a run reports (trainable parameters, the
 * memory LoRA saves, the corpus's tokenizing), a result every command opens ({@code eval}, {@code
 * generate}, {@code convert --adapter}, whose merge scores what the unmerged adapter scores), a
 * resume that reuses the token file, and options that cannot apply refused by name.
 */
class FineTuneCliTest {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. ";

    @TempDir static Path dir;
    private static Path base;
    private static Path corpus;
    private static Path heldOut;

    @BeforeAll
    static void makeBase() throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(TEXT, false);
        base = dir.resolve("base");
        try (LanguageModel lm =
                LanguageModel.create(TrainingRunTest.tiny(tokenizer, 16, 0.1f), 3, tokenizer)) {
            lm.save(base);
        }
        corpus = Files.writeString(dir.resolve("corpus.txt"), TEXT.repeat(60));
        heldOut = Files.writeString(dir.resolve("held-out.txt"), TEXT.repeat(3));
    }

    @Test
    void aFineTuneIsAModelDirectoryEveryCommandOpens() throws Exception {
        Path out = dir.resolve("full");
        CliRunner.Run r = train(out, "--context 12 --dropout 0");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err().startsWith("Fine-tuning " + base + ": vocab_size 28, n_positions 12"),
                r.err());
        assertTrue(r.err().contains("dropout 0.0\n"), r.err());
        assertTrue(
                r.err()
                        .contains(
                                "trainable params: 26,752 || all params: 26,752 || trainable%:"
                                        + " 100.0000\n"),
                r.err());
        assertTrue(
                r.err()
                        .matches(
                                "(?s).*corpus: 2,700 characters tokenized into 2,700 tokens in"
                                        + " [0-9.]+ s, kept as tokens.bin \\(uint16\\) for"
                                        + " resumes\n.*"),
                r.err());
        assertTrue(r.out().startsWith("saved best model to " + out + " (step "), r.out());
        assertArrayEquals(
                Files.readAllBytes(base.resolve("tinygpt-tokenizer.json")),
                Files.readAllBytes(out.resolve("tinygpt-tokenizer.json")),
                "the tokenizer's file is copied as it is");

        CliRunner.Run g = cli("generate --model " + out + " --prompt the --max-new-tokens 5");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().startsWith("the"), g.out());
        assertTrue(nll(cli("eval --json --model " + out + " --file " + heldOut)) > 0);
    }

    @Test
    void loraWritesAnAdapterThatScoresTheSameMergedOrNotAndResumes() throws Exception {
        Path out = dir.resolve("lora");
        CliRunner.Run r =
                train(out, "--lora-rank 2 --lora-alpha 4 --lora-targets c_attn,mlp.c_proj");
        assertEquals(0, r.code(), r.err());
        // Per layer: c_attn (32 -> 96) 2·32 + 96·2, mlp.c_proj (128 -> 32) 2·128 + 32·2; 12 bytes
        // (gradient, two moments) for each of those or of the 26,880 base weights.
        assertTrue(
                r.err()
                        .contains(
                                "trainable params: 1,152 || all params: 28,032 || trainable%:"
                                        + " 4.1096 (LoRA r=2, α=4.0 on c_attn,mlp.c_proj:"
                                        + " gradients and AdamW moments take 13.5 KiB instead of"
                                        + " 315.0 KiB)\n"),
                r.err());
        assertTrue(r.out().startsWith("saved best adapter to " + out + " (step "), r.out());
        assertTrue(Files.isRegularFile(out.resolve("adapter_config.json")));

        double unmerged =
                nll(
                        cli(
                                "eval --json --model "
                                        + base
                                        + " --adapter "
                                        + out
                                        + " --file "
                                        + heldOut));
        Path merged = dir.resolve("merged");
        CliRunner.Run c = cli("convert --model " + base + " --adapter " + out + " --out " + merged);
        assertEquals(0, c.code(), c.err());
        double plain = nll(cli("eval --json --model " + merged + " --file " + heldOut));
        assertEquals(unmerged, plain, 1e-5, "merged vs unmerged nll per token");
        double before = nll(cli("eval --json --model " + base + " --file " + heldOut));
        assertTrue(unmerged < before, "the adapter learned the text: " + unmerged + " " + before);
        CliRunner.Run g =
                cli(
                        "generate --model "
                                + base
                                + " --adapter "
                                + out
                                + " --prompt the --max-new-tokens 5");
        assertEquals(0, g.code(), g.err());

        CliRunner.Run resumed =
                cli("train --corpus " + corpus + " --resume " + out + " --max-iters 12");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(
                resumed.err()
                        .startsWith(
                                "resuming "
                                        + out
                                        + " at step 8 of 12 (the total was 8)\ncorpus: 2,700"
                                        + " tokens (uint16) from the run's tokens.bin\n"),
                resumed.err());
        assertTrue(resumed.err().contains("step 12/12"), resumed.err());
        CliRunner.Run rank =
                cli("train --corpus " + corpus + " --resume " + out + " --lora-rank 4");
        assertEquals(
                "tinygpt: --lora-rank cannot change on resume (the run keeps the model and"
                        + " adapters it started from)\n",
                rank.err());
    }

    @Test
    void optionsThatCannotApplyAreRefusedByName() {
        bad("--lora-rank needs --init-from DIR", "--lora-rank", "2");
        bad("--lora-alpha needs --lora-rank", "--init-from", base.toString(), "--lora-alpha", "2");
        bad(
                "--preset cannot be given with --init-from: the model's shape and tokenizer come"
                        + " from "
                        + base,
                "--init-from",
                base.toString(),
                "--preset",
                "char-tiny");
        bad(
                "--context (32) must be at most the model's context length, 16",
                "--init-from",
                base.toString(),
                "--context",
                "32");
        bad(
                "--lora-targets: 'c_attention' names no projection of this model",
                "--init-from",
                base.toString(),
                "--lora-rank",
                "2",
                "--lora-targets",
                "c_attention");
        bad(
                "--lora-rank (40) must be at most 32, the smaller side of the [32, 96] projections it"
                        + " adapts",
                "--init-from",
                base.toString(),
                "--lora-rank",
                "40");
    }

    @Test
    void everyModelShapeAndLoraQualifierOptionIsRefusedWhenItCannotApply() {
        String fixed = " cannot be given with --init-from";
        String qualifier = " needs --lora-rank";
        for (String[] c :
                List.of(
                        new String[] {"--layers", "2", fixed},
                        new String[] {"--heads", "2", fixed},
                        new String[] {"--d-model", "64", fixed},
                        new String[] {"--lora-alpha", "2", qualifier},
                        new String[] {"--lora-dropout", "0.1", qualifier},
                        new String[] {"--lora-targets", "c_fc", qualifier})) {
            bad(c[0] + c[2], "--init-from", base.toString(), c[0], c[1]);
            if (c[2].equals(qualifier)) {
                bad(c[0] + c[2], c[0], c[1]);
            }
        }
        bad("--unk" + fixed, "--init-from", base.toString(), "--unk");
    }

    private static CliRunner.Run train(Path out, String options) {
        return cli(
                "train --init-from "
                        + base
                        + " --corpus "
                        + corpus
                        + " --out "
                        + out
                        + " --max-iters 8 --eval-interval 4 --eval-iters 1 --batch-size 4 --lr"
                        + " 0.01 "
                        + options);
    }

    private static CliRunner.Run cli(String args) {
        return CliRunner.run(args.strip().split(" +"));
    }

    private static double nll(CliRunner.Run eval) {
        assertEquals(0, eval.code(), eval.err());
        JsonObject o = JsonParser.parseString(eval.out()).getAsJsonObject();
        return o.get("nll_per_token").getAsDouble();
    }

    private static void bad(String message, String... args) {
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--corpus",
                                corpus.toString(),
                                "--out",
                                dir.resolve("refused").toString()));
        all.addAll(List.of(args));
        CliRunner.Run r = CliRunner.run(all.toArray(String[]::new));
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
