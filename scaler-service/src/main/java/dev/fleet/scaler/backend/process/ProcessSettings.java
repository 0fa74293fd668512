package dev.fleet.scaler.backend.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fleet.scaler.policy.DurationText;
import dev.fleet.scaler.policy.InvalidPolicyException;

/**
 * One pool's process settings ({@code backend.settings}), parsed.
 *
 * <ul>
 * <li>{@code command} (required): the program and its arguments, split on whitespace and run
 * without a shell (a command needing quotes, pipes or {@code &&} belongs in a script). Placeholders
 * {@code {pool}}, {@code {queue}}, {@code {port}}, {@code {index}} are replaced anywhere in an
 * argument ({@code --port={port}}).</li>
 * <li>{@code ports}: the range processes take their {@code {port}} from; default
 * {@code fleet.scaler.process.ports}.</li>
 * <li>{@code grace}: how long a stopping process has between SIGTERM and SIGKILL; default 30s.</li>
 * <li>{@code workdir}: the processes' working directory; default the scaler's.</li>
 * <li>{@code health}: the path of the readiness probe on {@code {port}}, or {@code none} (ready
 * = running); default {@code /health}, the reference runner's.</li>
 * </ul>
 *
 * @param health empty for {@code none}
 */
public record ProcessSettings(List<String> command, PortRange ports, Duration grace, Path workdir,
        Optional<String> health) {

    public static final String COMMAND = "command";
    public static final String PORTS = "ports";
    public static final String GRACE = "grace";
    public static final String WORKDIR = "workdir";
    public static final String HEALTH = "health";
    static final Set<String> KEYS = Set.of(COMMAND, PORTS, GRACE, WORKDIR, HEALTH);

    public static final Duration GRACE_DEFAULT = Duration.ofSeconds(30);
    static final Duration GRACE_MAX = Duration.ofHours(1);
    public static final String HEALTH_DEFAULT = "/health";
    static final String HEALTH_NONE = "none";
    static final List<String> PLACEHOLDERS = List.of("{pool}", "{queue}", "{port}", "{index}");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}\\s]*}");

    public ProcessSettings {
        command = List.copyOf(command);
    }

    /**
     * Reads and checks the settings' syntax (no file-system checks: see {@link #checkRunnable}).
     *
     * @throws InvalidPolicyException naming {@code backend.settings.<key>}
     */
    public static ProcessSettings parse(Map<String, String> settings, PortRange defaultPorts) {
        for (String key : new TreeSet<>(settings.keySet())) {
            if (!KEYS.contains(key)) {
                throw invalid(key, "unknown setting of the process backend; known: "
                        + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        String commandText = settings.get(COMMAND);
        if (commandText == null || commandText.isBlank()) {
            throw invalid(COMMAND, "is required: the program and arguments to run, e.g. "
                    + "'java -jar fleet-runner/target/fleet-runner.jar --pool {pool} --port {port}'");
        }
        List<String> command = Arrays.asList(commandText.trim().split("\\s+"));
        for (String arg : command) {
            Matcher m = PLACEHOLDER.matcher(arg);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group())) {
                    throw invalid(COMMAND, "unknown placeholder " + m.group() + "; known: "
                            + String.join(", ", PLACEHOLDERS));
                }
            }
        }
        PortRange ports = blank(settings.get(PORTS)) ? defaultPorts
                : PortRange.parse(field(PORTS), settings.get(PORTS));
        Duration grace = blank(settings.get(GRACE)) ? GRACE_DEFAULT : DurationText.parse(field(GRACE), settings.get(GRACE), GRACE_DEFAULT);
        if (grace.isNegative() || grace.compareTo(GRACE_MAX) > 0) {
            throw invalid(GRACE, "must be between 0s and 1h, was '" + settings.get(GRACE) + "'");
        }
        Path workdir;
        try {
            String dir = blank(settings.get(WORKDIR)) ? "" : settings.get(WORKDIR).trim();
            workdir = Path.of("").toAbsolutePath().resolve(dir).normalize();
        } catch (InvalidPathException e) {
            throw invalid(WORKDIR, "is not a path: " + e.getMessage());
        }
        Optional<String> health = Optional.of(HEALTH_DEFAULT);
        if (!blank(settings.get(HEALTH))) {
            String path = settings.get(HEALTH).trim();
            if (path.equals(HEALTH_NONE)) {
                health = Optional.empty();
            } else if (path.startsWith("/") && !path.contains(" ")) {
                health = Optional.of(path);
            } else {
                throw invalid(HEALTH, "must be an HTTP path like /health, or 'none', was '" + path + "'");
            }
        }
        return new ProcessSettings(command, ports, grace, workdir, health);
    }

    /**
     * Checks what {@link #parse} cannot: the working directory exists and the program can be run
     * (on {@code PATH}, or an executable file relative to the working directory). Done when a pool is
     * validated, not on every call: a missing program then shows up as a failed start.
     *
     * @throws InvalidPolicyException naming {@code backend.settings.workdir} or {@code .command}
     */
    public void checkRunnable() {
        if (!Files.isDirectory(workdir)) {
            throw invalid(WORKDIR, "'" + workdir + "' is not a directory");
        }
        String program = command.get(0);
        if (PLACEHOLDER.matcher(program).find()) {
            return; // known only per instance
        }
        if (program.contains("/")) {
            Path file = workdir.resolve(program);
            if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
                throw invalid(COMMAND, "program '" + program + "' is not an executable file (looked at " + file + ")");
            }
            return;
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path file = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return;
            }
        }
        throw invalid(COMMAND, "program '" + program + "' is not on the PATH of the scaler (" + path + ")");
    }

    /** The command of instance {@code index} on {@code port}, placeholders replaced. */
    public List<String> argv(String pool, String queue, int port, int index) {
        List<String> argv = new ArrayList<>(command.size());
        for (String arg : command) {
            argv.add(arg.replace("{pool}", pool).replace("{queue}", queue)
                    .replace("{port}", Integer.toString(port)).replace("{index}", Integer.toString(index)));
        }
        return argv;
    }

    static String field(String key) {
        return "backend.settings." + key;
    }

    private static InvalidPolicyException invalid(String key, String problem) {
        return new InvalidPolicyException(field(key), problem);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
