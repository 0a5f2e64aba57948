package io.flowbench.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex, the form {@code sha256sum} prints and Tribuo records as a resource hash. */
public final class Sha256 {
    private Sha256() {
    }

    /** A new digest (every Java platform has SHA-256). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the Java platform lacks SHA-256", e);
        }
    }

    /** The hex digest of a string's UTF-8 bytes. */
    public static String of(String text) {
        return hex(newDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The hex digest of bytes. */
    public static String of(byte[] bytes) {
        return hex(newDigest().digest(bytes));
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
