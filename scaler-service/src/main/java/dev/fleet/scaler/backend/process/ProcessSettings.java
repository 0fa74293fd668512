package dev.fleet.scaler.backend.process;

import static dev.fleet.scaler.backend.InstanceSettings.blank;
import static dev.fleet.scaler.backend.InstanceSettings.field;
import static dev.fleet.scaler.backend.InstanceSettings.invalid;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.fleet.scaler.backend.InstanceSettings;
import dev.fleet.scaler.backend.PortRange;
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

    public static final Duration GRACE_DEFAULT = InstanceSettings.GRACE_DEFAULT;
    public static final String HEALTH_DEFAULT = InstanceSettings.HEALTH_DEFAULT;

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
        List<String> command = InstanceSettings.command(field(COMMAND), commandText);
        PortRange ports = blank(settings.get(PORTS)) ? defaultPorts
                : PortRange.parse(field(PORTS), settings.get(PORTS));
        Duration grace = InstanceSettings.grace(field(GRACE), settings.get(GRACE));
        Path workdir;
        try {
            String dir = blank(settings.get(WORKDIR)) ? "" : settings.get(WORKDIR).trim();
            workdir = Path.of("").toAbsolutePath().resolve(dir).normalize();
        } catch (InvalidPathException e) {
            throw invalid(WORKDIR, "is not a path: " + e.getMessage());
        }
        Optional<String> health = InstanceSettings.health(field(HEALTH), settings.get(HEALTH));
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
        if (InstanceSettings.hasPlaceholder(program)) {
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
        return InstanceSettings.argv(command, pool, queue, port, index);
    }

}
