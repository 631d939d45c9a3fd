package dev.tinygpt.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.tinygpt.config.GptConfig;
import dev.tinygpt.translator.StepInput;
import dev.tinygpt.translator.StepOutput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every NDArray a step creates lives on the model's device, so a model on a GPU runs its steps
 * there without a copy through the host (or an error mixing devices). Here the device is the CPU:
 * the test also checks that each such array belongs to a manager under the model's own (whose
 * device it inherits), so an array made in a manager of its own ({@code
 * NDManager.newBaseManager()}, the engine's default device) fails it on a CPU-only machine too. An
 * explicit {@code Device.cpu()} in the step path would pass here and fail only on a GPU.
 *
 * <p>The arrays are observed in flight: the step's parameter reads (at every projection, layer norm
 * and embedding, so in the middle of each layer) and the translator's output stage each list every
 * array alive in the process, and the arrays that were not alive before the steps are the step's.
 */
class StepDeviceTest {

    @Test
    void everyArrayOfAPrefillAndADecodeStepLivesOnTheModelsDevice() {
        try (LanguageModel lm = LanguageModel.create(GptConfig.exercise(), 1, null)) {
            ZooModel<StepInput, StepOutput> zoo = lm.zooModel();
            NDManager modelManager = zoo.getNDManager();
            Device device = modelManager.getDevice();
            assertEquals(Device.cpu(), device, "CPU only here; GPU runs are untested");

            Probe probe = new Probe(modelManager);
            ProbingModel probing = new ProbingModel(zoo, probe);
            try (InferenceSession session = new InferenceSession(probing, lm.config())) {
                probe.startRecording();
                session.prefill(new int[] {1, 2, 3, 4, 5}); // causal mask: AttentionBias
                session.append(6); // one position against the cache: no mask
                assertEquals(6, session.cachedLength());
            }

            assertTrue(probe.snapshots > 20, "the probe looked " + probe.snapshots + " times");
            // Inputs, the mask's bias, the cache's buffers, layer temporaries, logits…
            assertTrue(probe.seen.size() > 50, "the steps made " + probe.seen.size() + " arrays");
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, Seen> e : probe.seen.entrySet()) {
                Seen s = e.getValue();
                if (!s.device().equals(device) || !s.underModel()) {
                    wrong.add(e.getKey() + " " + s);
                }
            }
            assertEquals(List.of(), wrong, "arrays of the step off the model's device or tree");
            assertEquals(Set.of(device), probe.parameterDevices, "devices parameters were read on");
        }
    }

    /** What the probe saw of one array. */
    private record Seen(String name, Device device, String manager, boolean underModel) {}

    /** Lists every live array when asked, keeping those that were not alive at the start. */
    private static final class Probe {
        private final NDManager model;
        private final Set<String> before = new HashSet<>();
        private final Map<String, Seen> seen = new LinkedHashMap<>();
        private final Set<Device> parameterDevices = new HashSet<>();
        private boolean recording;
        private int snapshots;

        Probe(NDManager model) {
            this.model = model;
        }

        void startRecording() {
            for (NDArray a : liveArrays()) {
                before.add(a.getUid());
            }
            recording = true;
        }

        void snapshot() {
            if (!recording) {
                return;
            }
            snapshots++;
            for (NDArray a : liveArrays()) {
                if (!before.contains(a.getUid()) && !seen.containsKey(a.getUid())) {
                    NDManager m = a.getManager();
                    seen.put(
                            a.getUid(),
                            new Seen(a.getName(), a.getDevice(), m.getName(), isUnderModel(m)));
                }
            }
        }

        private boolean isUnderModel(NDManager m) {
            for (int depth = 0; m != null && depth < 100; depth++, m = m.getParentManager()) {
                if (m == model) {
                    return true;
                }
            }
            return false;
        }

        /** Every array alive in the process, across all managers. */
        private static List<NDArray> liveArrays() {
            try (NDManager probe = NDManager.newBaseManager()) {
                return probe.getParentManager().getManagedArrays();
            }
        }
    }

    /** The model, its predictors reading parameters through a probing store. */
    private static final class ProbingModel extends ZooModel<StepInput, StepOutput> {
        private final Probe probe;

        ProbingModel(ZooModel<StepInput, StepOutput> model, Probe probe) {
            super(model.getWrappedModel(), new ProbingTranslator(model.getTranslator(), probe));
            this.probe = probe;
        }

        @Override
        public <P, Q> Predictor<P, Q> newPredictor(Translator<P, Q> translator, Device device) {
            return new ProbingPredictor<>(getWrappedModel(), translator, device, probe);
        }
    }

    private static final class ProbingPredictor<I, O> extends Predictor<I, O> {
        ProbingPredictor(Model model, Translator<I, O> translator, Device device, Probe probe) {
            super(model, translator, device, false);
            parameterStore = new ProbingStore(manager, probe);
        }
    }

    /** Looks at the live arrays whenever the forward reads a parameter: mid-layer. */
    private static final class ProbingStore extends ParameterStore {
        private final Probe probe;

        ProbingStore(NDManager manager, Probe probe) {
            super(manager, false);
            this.probe = probe;
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            probe.snapshot();
            if (probe.recording) {
                probe.parameterDevices.add(device);
            }
            return super.getValue(parameter, device, training);
        }
    }

    /** The step translator, looking at the live arrays before the output leaves the step. */
    private static final class ProbingTranslator
            implements NoBatchifyTranslator<StepInput, StepOutput> {
        private final Translator<StepInput, StepOutput> step;
        private final Probe probe;

        ProbingTranslator(Translator<StepInput, StepOutput> step, Probe probe) {
            this.step = step;
            this.probe = probe;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, StepInput input) throws Exception {
            return step.processInput(ctx, input);
        }

        @Override
        public StepOutput processOutput(TranslatorContext ctx, NDList output) throws Exception {
            probe.snapshot();
            return step.processOutput(ctx, output);
        }
    }
}
