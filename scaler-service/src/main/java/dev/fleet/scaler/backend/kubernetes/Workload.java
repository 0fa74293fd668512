package dev.fleet.scaler.backend.kubernetes;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The workload a pool's settings point at: {@code kind} in {@code namespace}, named {@code name}.
 * Its {@link #toString()} ({@code Deployment fleet/web}) is how messages name it.
 */
record Workload(Kind kind, String namespace, String name) {

    /** The workload kinds the backend scales, with the API resource that RBAC rules name. */
    enum Kind {
        DEPLOYMENT("Deployment", "deployments"),
        STATEFUL_SET("StatefulSet", "statefulsets");

        final String displayName;
        final String resource;

        Kind(String displayName, String resource) {
            this.displayName = displayName;
            this.resource = resource;
        }

        /** {@code Deployment} or {@code StatefulSet}, in any letter case. */
        static Optional<Kind> parse(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.displayName.toLowerCase(Locale.ROOT).equals(v)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }

        @Override
        public String toString() {
            return displayName;
        }
    }

    /** RFC 1123 label, as Kubernetes checks namespace and StatefulSet names (and so Deployment names here too). */
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    static final String DNS_1123_LABEL_RULE =
            "must be a DNS-1123 label (at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit)";

    static boolean isDns1123Label(String s) {
        return s != null && DNS_1123_LABEL.matcher(s).matches();
    }

    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name;
    }
}
