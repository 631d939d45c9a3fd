package dev.tinygpt.profile;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where the time of a step goes. Code marks its parts as sections of a {@link Kind}; while a
 * profile is recording on the current thread, each section's time is added to its kind. When none
 * is recording (always, except in {@code bench --suite profile}), opening a section is one
 * thread-local read and costs nothing else.
 *
 * <pre>
 * try (Profile.Section s = Profile.section(Kind.PROJECTION)) {
 *     y = x.matMul(w);
 * }
 * </pre>
 *
 * Sections are leaves: they do not nest, so the kinds add up to the time spent in marked code, and
 * what a step spends elsewhere (Java, DJL's bookkeeping, per-call overhead) is its wall time minus
 * that sum.
 */
public final class Profile implements AutoCloseable {
    /** The kinds of work a step is made of. */
    public enum Kind {
        INPUTS("step inputs (ids, positions, mask)"),
        EMBEDDING("embeddings (wte + wpe)"),
        LAYER_NORM("layer norms"),
        PROJECTION("projections (c_attn, c_proj, c_fc)"),
        HEADS("split and merge heads"),
        CACHE("KV cache write and read"),
        SCORES("attention scores (q·kᵀ, scale, mask)"),
        SOFTMAX("attention softmax"),
        VALUES("attention values (weights·v)"),
        ACTIVATION("activation"),
        RESIDUAL("residual adds"),
        HEAD("LM head"),
        LOGITS_COPY("logits copy to Java"),
        SAMPLING("sampling"),
        STREAMING("streaming decode"),
        STOP_RULES("stop rules");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final ThreadLocal<Profile> RECORDING = new ThreadLocal<>();

    private final long[] nanos = new long[Kind.values().length];
    private final long[] sections = new long[Kind.values().length];
    private final Section[] open = new Section[Kind.values().length];
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Profile() {
        for (Kind kind : Kind.values()) {
            open[kind.ordinal()] = new Section(this, kind);
        }
    }

    /** Starts recording the sections this thread runs, until the profile is closed. */
    public static Profile record() {
        if (RECORDING.get() != null) {
            throw new IllegalStateException("a profile is already recording on this thread");
        }
        Profile profile = new Profile();
        RECORDING.set(profile);
        return profile;
    }

    /** Opens a section of {@code kind}; close it (try-with-resources) when the work is done. */
    public static Section section(Kind kind) {
        Profile profile = RECORDING.get();
        return profile == null ? Section.OFF : profile.open[kind.ordinal()].start();
    }

    /** Nanoseconds spent in sections of each kind so far (kinds never entered are absent). */
    public Map<Kind, Long> nanos() {
        Map<Kind, Long> map = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            if (sections[kind.ordinal()] > 0) {
                map.put(kind, nanos[kind.ordinal()]);
            }
        }
        return map;
    }

    /** How many sections of {@code kind} ran. */
    public long sections(Kind kind) {
        return sections[kind.ordinal()];
    }

    /** Stops recording. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a profile must be closed on its own thread");
            }
            RECORDING.remove();
        }
    }

    /** One open section; reused, since sections of one kind never nest. */
    public static final class Section implements AutoCloseable {
        static final Section OFF = new Section(null, null);

        private final Profile profile;
        private final Kind kind;
        private long start;

        private Section(Profile profile, Kind kind) {
            this.profile = profile;
            this.kind = kind;
        }

        Section start() {
            start = System.nanoTime();
            return this;
        }

        @Override
        public void close() {
            if (profile != null) {
                profile.nanos[kind.ordinal()] += System.nanoTime() - start;
                profile.sections[kind.ordinal()]++;
            }
        }
    }
}
