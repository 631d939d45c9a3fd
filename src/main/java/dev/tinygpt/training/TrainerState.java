package dev.tinygpt.training;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tinygpt.config.TrainingOptions;
import dev.tinygpt.io.TextFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a checkpoint's {@code trainer-state.json} holds besides the arrays.
 *
 * @param iter steps taken
 * @param options the run's options; a resume may change their {@code max_iters}
 * @param corpusSha256 the corpus the run trains on, so a resume on another one is refused
 * @param bestValLoss the validation loss of the best model so far; infinite before there is one
 * @param bestIter the step of the best model; 0 before there is one, or in a checkpoint written
 *     before the step was recorded
 */
record TrainerState(
        int iter, TrainingOptions options, String corpusSha256, double bestValLoss, int bestIter) {

    static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** The state of a run on {@code corpus} that has taken no step. */
    static TrainerState fresh(TrainingOptions options, String corpus) {
        return new TrainerState(0, options, sha256(corpus), Double.POSITIVE_INFINITY, 0);
    }

    /** Whether the run trains on {@code corpus}. */
    boolean trainedOn(String corpus) {
        return corpusSha256.equals(sha256(corpus));
    }

    TrainerState withOptions(TrainingOptions changed) {
        return new TrainerState(iter, changed, corpusSha256, bestValLoss, bestIter);
    }

    TrainerState withIter(int steps) {
        return new TrainerState(steps, options, corpusSha256, bestValLoss, bestIter);
    }

    /** This state with the model of its current step as the best. */
    TrainerState withBest(double valLoss) {
        return new TrainerState(iter, options, corpusSha256, valLoss, iter);
    }

    String toJson() {
        JsonObject state = new JsonObject();
        state.addProperty("iter", iter);
        state.addProperty("best_val_loss", bestValLoss);
        state.addProperty("best_iter", bestIter);
        state.addProperty("corpus_sha256", corpusSha256);
        state.add("options", GSON.toJsonTree(options));
        return GSON.toJson(state) + "\n";
    }

    /** Reads and checks a state file; a damaged one is an error naming the file and the problem. */
    static TrainerState read(Path file) throws IOException {
        JsonElement root = TextFiles.readJson(file, TextFiles.MAX_CONFIG_BYTES);
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException(file + ": not a JSON object");
        }
        JsonObject json = root.getAsJsonObject();
        TrainerState state;
        try {
            state =
                    new TrainerState(
                            step(json.get("iter").getAsDouble()),
                            GSON.fromJson(json.get("options"), TrainingOptions.class),
                            json.get("corpus_sha256").getAsString(),
                            json.get("best_val_loss").getAsDouble(),
                            json.has("best_iter") ? json.get("best_iter").getAsInt() : 0);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": malformed trainer state (" + TextFiles.jsonProblem(e) + ")", e);
        }
        if (state.options() == null) {
            throw new IllegalArgumentException(file + ": malformed trainer state (no options)");
        }
        if (state.iter() > state.options().maxIters()) {
            throw new IllegalArgumentException(
                    file
                            + ": iter "
                            + state.iter()
                            + " is past max_iters "
                            + state.options().maxIters());
        }
        return state;
    }

    private static int step(double stored) {
        int iter = (int) stored;
        if (stored != iter || iter < 0) {
            throw new IllegalArgumentException("iter must be a step number, got " + stored);
        }
        return iter;
    }

    private static String sha256(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
