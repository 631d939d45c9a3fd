package dev.tinygpt.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A character-level vocabulary, as in nanoGPT's {@code shakespeare_char}: one token per Unicode
 * code point, id = index. {@link #fromCorpus} takes the sorted unique code points of a corpus. An
 * optional trailing {@code <unk>} token (id = {@code vocabSize()-1}) stands in for characters the
 * corpus never had; without it such characters are an error.
 */
public final class CharTokenizer implements Tokenizer {
    /** What the {@code <unk>} id decodes to: U+FFFD, the Unicode replacement character. */
    public static final char REPLACEMENT = '\uFFFD';

    private final List<String> symbols;
    private final String unk;
    private final Map<Integer, Integer> ids;

    /**
     * @param symbols one code point each, id = index
     * @param unk the name of a trailing unknown-character token, or null for none
     */
    public CharTokenizer(List<String> symbols, String unk) {
        if (symbols.isEmpty()) {
            throw new IllegalArgumentException(
                    "a character vocabulary needs at least one character");
        }
        this.symbols = List.copyOf(symbols);
        this.ids = new HashMap<>();
        for (int i = 0; i < this.symbols.size(); i++) {
            String s = this.symbols.get(i);
            if (s.codePointCount(0, s.length()) != 1) {
                throw new IllegalArgumentException(
                        "vocabulary entry " + i + " (\"" + s + "\") is not a single character");
            }
            int cp = s.codePointAt(0);
            if (ids.put(cp, i) != null) {
                throw new IllegalArgumentException(
                        "vocabulary character " + TextSnippet.codePoint(cp) + " appears twice");
            }
        }
        if (unk != null && (unk.isEmpty() || this.symbols.contains(unk))) {
            throw new IllegalArgumentException(
                    "the unknown token '"
                            + unk
                            + "' must be non-empty and not a vocabulary character");
        }
        this.unk = unk;
    }

    /** The sorted unique code points of {@code corpus}, plus {@code <unk>} if asked. */
    public static CharTokenizer fromCorpus(String corpus, boolean withUnk) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus");
        }
        List<String> symbols =
                corpus.codePoints().distinct().sorted().mapToObj(Character::toString).toList();
        return new CharTokenizer(symbols, withUnk ? "<unk>" : null);
    }

    /** The characters, id = index, without the {@code <unk>} token. */
    public List<String> symbols() {
        return symbols;
    }

    public Optional<String> unk() {
        return Optional.ofNullable(unk);
    }

    /**
     * @throws IllegalArgumentException for a character outside the vocabulary when there is no
     *     {@code <unk>}, naming it and its index in code points
     */
    @Override
    public int[] encode(String text) {
        Tokenizer.requireValidText(text);
        int[] codePoints = text.codePoints().toArray();
        int[] out = new int[codePoints.length];
        for (int i = 0; i < codePoints.length; i++) {
            Integer id = ids.get(codePoints[i]);
            if (id == null) {
                if (unk == null) {
                    throw new IllegalArgumentException(
                            "unknown character "
                                    + TextSnippet.codePoint(codePoints[i])
                                    + " at index "
                                    + i
                                    + "; the vocabulary has "
                                    + symbols.size()
                                    + " characters");
                }
                id = symbols.size();
            }
            out[i] = id;
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            Tokenizer.requireId(id, vocabSize());
            if (id == symbols.size()) {
                sb.append(REPLACEMENT);
            } else {
                sb.append(symbols.get(id));
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return symbols.size() + (unk == null ? 0 : 1);
    }
}
