package dev.bnserve.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The cell texts that mean "no value": compared after trimming, ignoring case. A blank cell is always missing. The
 * check runs on every cell, so it rejects the common case (a number, an ordinary word) by its first character and
 * length before allocating anything.
 */
final class MissingTokens {

    static final MissingTokens DEFAULT = of(CsvOptions.DEFAULT_MISSING_TOKENS);

    private final List<String> tokens;
    private final Set<String> lower;
    private final long[] asciiFirst = new long[2]; // bit c: some token starts with ASCII char c (either case)
    private final boolean nonAsciiFirst; // some token starts with a non-ASCII char: such cells take the slow path
    private final int maxLength;

    private MissingTokens(List<String> tokens) {
        List<String> kept = new ArrayList<>();
        Set<String> set = new HashSet<>();
        boolean nonAscii = false;
        int longest = 0;
        for (String token : tokens) {
            String t = token.strip();
            if (t.isEmpty() || !set.add(t.toLowerCase(Locale.ROOT))) {
                continue;
            }
            kept.add(t);
            longest = Math.max(longest, t.length());
            char c = t.charAt(0);
            if (c < 128) {
                mark(Character.toLowerCase(c));
                mark(Character.toUpperCase(c));
            } else {
                nonAscii = true;
            }
        }
        this.tokens = Collections.unmodifiableList(kept);
        this.lower = set;
        this.nonAsciiFirst = nonAscii;
        this.maxLength = longest;
    }

    static MissingTokens of(List<String> tokens) {
        return new MissingTokens(tokens);
    }

    /** The tokens as given (trimmed, without duplicates or blanks); the blank cell is implied. */
    List<String> tokens() {
        return tokens;
    }

    boolean contains(String token) {
        return lower.contains(token.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * False only if no cell starting with the ASCII character {@code c} can be missing: no token starts with it and it
     * is not whitespace. Lets the byte-level reader keep a number out of {@link #matches} without making a string.
     */
    boolean mayMatchStartingWith(int c) {
        return c >= 128 || c <= ' ' || (asciiFirst[c >> 6] & (1L << c)) != 0 || Character.isWhitespace((char) c);
    }

    /** True if {@code cell} (not empty) is blank or one of the tokens. */
    boolean matches(String cell) {
        char c = cell.charAt(0);
        if (!Character.isWhitespace(c)) {
            if (c < 128) {
                if ((asciiFirst[c >> 6] & (1L << c)) == 0) {
                    return false;
                }
            } else if (!nonAsciiFirst && Character.toLowerCase(c) >= 128 && Character.toUpperCase(c) >= 128) {
                return false;
            }
            if (cell.length() > maxLength && !Character.isWhitespace(cell.charAt(cell.length() - 1))) {
                return false;
            }
        }
        String t = cell.strip();
        return t.isEmpty() || lower.contains(t.toLowerCase(Locale.ROOT));
    }

    private void mark(char c) {
        if (c < 128) {
            asciiFirst[c >> 6] |= 1L << c;
        }
    }
}
