package dev.fleet.gateway.proxy;

/** The request's priority class from {@code X-Fleet-Priority: P0}–{@code P6} (P0 first); absent means P3. */
final class Priority {

    static final String HEADER = "X-Fleet-Priority";
    static final int DEFAULT = 3;

    private Priority() {
    }

    /** The class 0–6, or -1 if the header is malformed. */
    static int parse(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        String text = value.trim();
        if (text.length() == 2 && (text.charAt(0) == 'P' || text.charAt(0) == 'p')
                && text.charAt(1) >= '0' && text.charAt(1) <= '6') {
            return text.charAt(1) - '0';
        }
        return -1;
    }
}
