package dev.bnserve.data;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Dataset identifiers: {@code d-} followed by 26 lower-case Crockford base32 characters
 * (a 50-bit millisecond timestamp in 10 characters, then 80 random bits in 16, the ULID layout), so ids sort by
 * creation time and are safe in URLs and file names.
 */
public final class DatasetIds {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final Pattern PATTERN = Pattern.compile("d-[0-9a-hjkmnp-tv-z]{26}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private DatasetIds() {}

    /** A fresh, unique identifier. */
    public static String newId() {
        char[] out = new char[28];
        out[0] = 'd';
        out[1] = '-';
        long time = System.currentTimeMillis();
        for (int i = 9; i >= 0; i--) { // 10 chars x 5 bits = 50 bits of time
            out[2 + i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        for (int i = 0; i < 16; i++) { // 16 chars x 5 bits = 80 random bits
            out[12 + i] = ALPHABET[random[i] & 31];
        }
        return new String(out);
    }

    /** True if {@code id} has exactly the shape produced by {@link #newId()}; never touches the filesystem. */
    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
