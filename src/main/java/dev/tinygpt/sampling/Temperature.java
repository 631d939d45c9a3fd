package dev.tinygpt.sampling;

/**
 * HF's {@code TemperatureLogitsWarper}: divides every logit by the temperature, in float as HF does
 * in the logits' dtype. Below 1 sharpens the distribution, above 1 flattens it.
 */
public record Temperature(float temperature) implements LogitsProcessor {

    public Temperature {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number > 0, got " + temperature);
        }
    }

    @Override
    public void process(int[] tokens, int length, float[] logits) {
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= temperature;
        }
    }
}
