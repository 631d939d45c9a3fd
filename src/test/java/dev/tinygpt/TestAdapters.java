package dev.tinygpt;

import ai.djl.Model;
import dev.tinygpt.config.LoraConfig;
import dev.tinygpt.io.AdapterDirectory;
import dev.tinygpt.io.ModelDirectory;
import dev.tinygpt.model.GptModel;
import dev.tinygpt.model.NamedParameter;
import dev.tinygpt.model.WeightInit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** LoRA adapters for the tests, made as training makes them. */
public final class TestAdapters {
    private TestAdapters() {}

    /**
     * Writes a PEFT adapter directory for the model in {@code base}: A as PEFT initialises it from
     * {@code seed}, and B zero (as training starts) or, when {@code randomB}, N(0, 0.5²) so the
     * update is far from zero.
     */
    public static Path write(Path base, LoraConfig lora, long seed, boolean randomB, Path out)
            throws IOException {
        try (Model djl = Model.newInstance("adapter", "PyTorch")) {
            GptModel model = new GptModel(ModelDirectory.readConfig(base), false, lora);
            djl.setBlock(model);
            ModelDirectory.loadWeights(model, base, djl.getNDManager());
            WeightInit.initializeAdapters(model, djl.getNDManager(), seed);
            if (randomB) {
                Random random = new Random(seed + 1);
                for (NamedParameter p : model.adapterParameters()) {
                    if (p.name().endsWith("lora_B.weight")) {
                        float[] values = new float[Math.toIntExact(p.size())];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = (float) (0.5 * random.nextGaussian());
                        }
                        p.parameter().getArray().set(values);
                    }
                }
            }
            AdapterDirectory.save(out, model);
        }
        return out;
    }
}
