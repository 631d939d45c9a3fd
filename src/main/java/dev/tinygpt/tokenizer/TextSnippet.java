package dev.tinygpt.tokenizer;

/**
 * How text appears in an error message: quoted, cut to a readable length, with line breaks, control
 * and other invisible characters escaped, so a message stays one readable line whatever the input
 * held ({@code 'a\u0007b'}, {@code '\n'}, a 1 MB word).
 */
final class TextSnippet {
    /** Characters of a quoted text shown before it is cut. */
    static final int MAX_SHOWN = 40;

    private TextSnippet() {}

    /** {@code 'text'}, escaped, cut after {@link #MAX_SHOWN} code points with its length. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (shown++ == MAX_SHOWN) {
                sb.append("…' (")
                        .append(text.codePointCount(0, text.length()))
                        .append(" characters)");
                return sb.toString();
            }
            sb.append(escape(cp));
            i += Character.charCount(cp);
        }
        return sb.append('\'').toString();
    }

    /** {@code 'é' (U+00E9)}; invisible characters escaped, e.g. {@code '\n' (U+000A)}. */
    static String codePoint(int cp) {
        return "'" + escape(cp) + "' (" + String.format("U+%04X", cp) + ")";
    }

    private static String escape(int cp) {
        return switch (cp) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\0' -> "\\0";
            case '\'' -> "\\'";
            case '\\' -> "\\\\";
            default -> visible(cp) ? Character.toString(cp) : String.format("\\u%04X", cp);
        };
    }

    private static boolean visible(int cp) {
        int type = Character.getType(cp);
        return type != Character.CONTROL
                && type != Character.FORMAT
                && type != Character.SURROGATE
                && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE
                && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR;
    }
}
