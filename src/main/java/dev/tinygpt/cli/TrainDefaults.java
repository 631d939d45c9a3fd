package dev.tinygpt.cli;

import dev.tinygpt.config.Preset;
import dev.tinygpt.config.Presets;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;

/**
 * The values of the default preset, for {@code train --help}: its options default to the preset's
 * values, and their descriptions show the default preset's as {@code ${bundle:default.lr}} (picocli
 * reads them from this resource bundle, so they come from the preset registry rather than a copy in
 * the text).
 */
public final class TrainDefaults extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        Preset preset = Presets.byName(NewRunOptions.DEFAULT_PRESET);
        TrainSettings settings =
                new TrainSettings(preset.config(), preset.training().orElseThrow(), false);
        List<Object[]> contents = new ArrayList<>();
        for (String option : TrainSettings.optionNames()) {
            contents.add(new Object[] {"default." + option.substring(2), settings.value(option)});
        }
        return contents.toArray(Object[][]::new);
    }
}
