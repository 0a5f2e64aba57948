package io.flowbench.data;

import java.util.Locale;

/** What to do when an image side is not a multiple of 2^levels. */
public enum Padding {
    /** Fail, saying which options would fix it. */
    NONE,
    /** Zero-pad symmetrically up to the next multiple (e.g. 28 -> 32 for 3 levels). */
    ZERO;

    /** {@code none} or {@code zero}, any case (as configs write it). */
    public static Padding parse(String s) {
        for (Padding p : values()) {
            if (p.name().equalsIgnoreCase(s.strip())) {
                return p;
            }
        }
        throw new IllegalArgumentException("pad must be none or zero, got '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
