package dev.fleet.scaler.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fleet.scaler.policy.DurationText;
import dev.fleet.scaler.policy.InvalidPolicyException;

/**
 * The per-pool settings the process and docker backends share, parsed the same way: a command with
 * placeholders, the grace period of a stop, and the readiness path.
 */
public final class InstanceSettings {

    public static final Duration GRACE_DEFAULT = Duration.ofSeconds(30);
    public static final Duration GRACE_MAX = Duration.ofHours(1);
    public static final String HEALTH_DEFAULT = "/health";
    public static final String HEALTH_NONE = "none";
    public static final List<String> PLACEHOLDERS = List.of("{pool}", "{queue}", "{port}", "{index}");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}\\s]*}");

    private InstanceSettings() {
    }

    /**
     * A command split on whitespace (no shell); every {@code {…}} must be a known placeholder.
     *
     * @throws InvalidPolicyException naming {@code field}
     */
    public static List<String> command(String field, String text) {
        List<String> command = Arrays.asList(text.trim().split("\\s+"));
        for (String arg : command) {
            Matcher m = PLACEHOLDER.matcher(arg);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group())) {
                    throw new InvalidPolicyException(field, "unknown placeholder " + m.group() + "; known: "
                            + String.join(", ", PLACEHOLDERS));
                }
            }
        }
        return List.copyOf(command);
    }

    /** Whether an argument holds a placeholder (and so is known only per instance). */
    public static boolean hasPlaceholder(String arg) {
        return PLACEHOLDER.matcher(arg).find();
    }

    /** The command of instance {@code index} on {@code port}, placeholders replaced. */
    public static List<String> argv(List<String> command, String pool, String queue, int port, int index) {
        List<String> argv = new ArrayList<>(command.size());
        for (String arg : command) {
            argv.add(arg.replace("{pool}", pool).replace("{queue}", queue)
                    .replace("{port}", Integer.toString(port)).replace("{index}", Integer.toString(index)));
        }
        return argv;
    }

    /** Time between SIGTERM and SIGKILL: 0s to 1h, default 30s. */
    public static Duration grace(String field, String text) {
        if (blank(text)) {
            return GRACE_DEFAULT;
        }
        Duration grace = DurationText.parse(field, text, GRACE_DEFAULT);
        if (grace.isNegative() || grace.compareTo(GRACE_MAX) > 0) {
            throw new InvalidPolicyException(field, "must be between 0s and 1h, was '" + text + "'");
        }
        return grace;
    }

    /** The readiness path ({@code /health} by default), or empty for {@code none} (ready = running). */
    public static Optional<String> health(String field, String text) {
        if (blank(text)) {
            return Optional.of(HEALTH_DEFAULT);
        }
        String path = text.trim();
        if (path.equals(HEALTH_NONE)) {
            return Optional.empty();
        }
        if (path.startsWith("/") && !path.contains(" ")) {
            return Optional.of(path);
        }
        throw new InvalidPolicyException(field, "must be an HTTP path like /health, or 'none', was '" + path + "'");
    }

    public static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** The name a 422 gives a pool's backend setting: {@code backend.settings.<key>}. */
    public static String field(String key) {
        return "backend.settings." + key;
    }

    public static InvalidPolicyException invalid(String key, String problem) {
        return new InvalidPolicyException(field(key), problem);
    }
}
