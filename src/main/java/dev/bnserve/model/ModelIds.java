package dev.bnserve.model;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Model identifiers: {@code m-} + 12 hex digits of creation time + 10 random base-32 characters (sortable, URL-safe). */
public final class ModelIds {
    private static final Pattern PATTERN = Pattern.compile("m-[0-9a-f]{12}[0-9a-v]{10}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ModelIds() {}

    public static String newId() {
        StringBuilder b = new StringBuilder("m-").append(String.format("%012x", System.currentTimeMillis()));
        for (int i = 0; i < 10; i++) b.append(Character.forDigit(RANDOM.nextInt(32), 32));
        return b.toString();
    }

    /** True for identifiers this service could have issued; nothing else ever reaches the file system. */
    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
