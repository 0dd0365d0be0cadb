package dev.bnserve.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks a presented API key against the configured one in constant time: both are hashed with SHA-256
 * (so the comparison is over equal-length digests and leaks neither the key's length nor a matching prefix)
 * and compared with {@link MessageDigest#isEqual}. Only the digest of the configured key is kept.
 */
final class ApiKeyVerifier {

    private final byte[] expectedDigest;

    ApiKeyVerifier(String apiKey) {
        if (apiKey == null || apiKey.isEmpty()) {
            throw new IllegalArgumentException("an API key is required");
        }
        this.expectedDigest = sha256(apiKey);
    }

    boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e); // every JRE has it
        }
    }

    @Override
    public String toString() {
        return "ApiKeyVerifier[<redacted>]";
    }
}
