package dev.fleet.scaler.backend.docker;

import static dev.fleet.scaler.backend.InstanceSettings.blank;
import static dev.fleet.scaler.backend.InstanceSettings.field;
import static dev.fleet.scaler.backend.InstanceSettings.invalid;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fleet.scaler.backend.InstanceSettings;
import dev.fleet.scaler.backend.PortRange;
import dev.fleet.scaler.policy.InvalidPolicyException;

/**
 * One pool's docker settings ({@code backend.settings}), parsed.
 *
 * <ul>
 * <li>{@code image} (required): the runner image, e.g. {@code localhost/fleet/fleet-runner:0.1.0-SNAPSHOT}.</li>
 * <li>{@code command}: arguments after the image's entrypoint, split on whitespace; placeholders
 * {@code {pool}}, {@code {queue}}, {@code {port}}, {@code {index}} as for the process backend.
 * Default: none (the reference runner reads its settings from the environment below).</li>
 * <li>{@code env.<NAME>}: one environment variable each.</li>
 * <li>{@code label.<key>}: one container label each ({@code dev.fleet.*} is the backend's own).</li>
 * <li>{@code network}: {@code host} (default: the container listens on its host port directly) or
 * the name of a network ({@code bridge}, {@code podman}, your own), where {@code container-port}
 * (default 9100) is published on a host port.</li>
 * <li>{@code ports}: the host ports instances take; default {@code fleet.scaler.docker.ports}.</li>
 * <li>{@code cpus} (e.g. {@code 1.5}) and {@code memory} (e.g. {@code 512m}, {@code 2g}): limits.</li>
 * <li>{@code grace} (default 30s) and {@code health} (default {@code /health}, or {@code none}).</li>
 * </ul>
 *
 * @param memoryBytes empty: no limit
 * @param nanoCpus 0: no limit
 * @param health empty for {@code none}
 */
public record DockerSettings(String image, List<String> command, Map<String, String> env, Map<String, String> labels,
        String network, int containerPort, PortRange ports, long nanoCpus, OptionalLong memoryBytes, Duration grace,
        Optional<String> health) {

    public static final String IMAGE = "image";
    public static final String COMMAND = "command";
    public static final String NETWORK = "network";
    public static final String CONTAINER_PORT = "container-port";
    public static final String PORTS = "ports";
    public static final String CPUS = "cpus";
    public static final String MEMORY = "memory";
    public static final String GRACE = "grace";
    public static final String HEALTH = "health";
    static final String ENV_PREFIX = "env.";
    static final String LABEL_PREFIX = "label.";
    static final Set<String> KEYS = Set.of(IMAGE, COMMAND, NETWORK, CONTAINER_PORT, PORTS, CPUS, MEMORY, GRACE, HEALTH);
    static final String HOST_NETWORK = "host";
    static final int CONTAINER_PORT_DEFAULT = 9100;

    private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}");
    private static final Pattern NETWORK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,127}");
    private static final Pattern MEMORY_TEXT = Pattern.compile("(\\d{1,13})([bkmg]?)", Pattern.CASE_INSENSITIVE);
    private static final long MEMORY_MIN = 6L << 20; // Docker refuses less
    private static final double CPUS_MAX = 1024;

    public DockerSettings {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
    }

    public boolean hostNetwork() {
        return network.equals(HOST_NETWORK);
    }

    /**
     * Reads and checks the settings.
     *
     * @throws InvalidPolicyException naming {@code backend.settings.<key>}
     */
    public static DockerSettings parse(Map<String, String> settings, PortRange defaultPorts) {
        Map<String, String> env = new TreeMap<>();
        Map<String, String> labels = new TreeMap<>();
        for (String key : new TreeSet<>(settings.keySet())) {
            String value = settings.get(key) == null ? "" : settings.get(key);
            if (key.startsWith(ENV_PREFIX)) {
                String name = key.substring(ENV_PREFIX.length());
                if (!ENV_NAME.matcher(name).matches()) {
                    throw invalid(key, "must name an environment variable: letters, digits and '_', not starting"
                            + " with a digit");
                }
                env.put(name, value);
            } else if (key.startsWith(LABEL_PREFIX)) {
                String name = key.substring(LABEL_PREFIX.length());
                if (!LABEL_KEY.matcher(name).matches() || name.startsWith(DockerBackend.LABEL_NAMESPACE)) {
                    throw invalid(key, "must name a label: letters, digits, '.', '_', '/', '-', and not "
                            + DockerBackend.LABEL_NAMESPACE + "* (the backend's own)");
                }
                labels.put(name, value);
            } else if (!KEYS.contains(key)) {
                throw invalid(key, "unknown setting of the docker backend; known: "
                        + String.join(", ", new TreeSet<>(KEYS)) + ", env.<NAME>, label.<key>");
            }
        }
        String image = settings.get(IMAGE);
        if (blank(image)) {
            throw invalid(IMAGE, "is required: the runner image, e.g. 'localhost/fleet/fleet-runner:0.1.0-SNAPSHOT'"
                    + " (deploy/images/build makes it)");
        }
        if (!IMAGE_NAME.matcher(image.trim()).matches()) {
            throw invalid(IMAGE, "is not an image reference: '" + image + "'");
        }
        List<String> command = blank(settings.get(COMMAND)) ? List.of()
                : InstanceSettings.command(field(COMMAND), settings.get(COMMAND));
        String network = blank(settings.get(NETWORK)) ? HOST_NETWORK : settings.get(NETWORK).trim();
        if (!NETWORK_NAME.matcher(network).matches()) {
            throw invalid(NETWORK, "must be 'host' or a network name (letters, digits, '_', '.', '-'), was '"
                    + network + "'");
        }
        int containerPort = CONTAINER_PORT_DEFAULT;
        if (!blank(settings.get(CONTAINER_PORT))) {
            containerPort = PortRange.parse(field(CONTAINER_PORT), settings.get(CONTAINER_PORT)).first();
            if (settings.get(CONTAINER_PORT).contains("-")) {
                throw invalid(CONTAINER_PORT, "must be one port, was '" + settings.get(CONTAINER_PORT) + "'");
            }
        }
        PortRange ports = blank(settings.get(PORTS)) ? defaultPorts : PortRange.parse(field(PORTS), settings.get(PORTS));
        long nanoCpus = blank(settings.get(CPUS)) ? 0 : nanoCpus(settings.get(CPUS));
        OptionalLong memory = blank(settings.get(MEMORY)) ? OptionalLong.empty()
                : OptionalLong.of(memoryBytes(settings.get(MEMORY)));
        Duration grace = InstanceSettings.grace(field(GRACE), settings.get(GRACE));
        Optional<String> health = InstanceSettings.health(field(HEALTH), settings.get(HEALTH));
        return new DockerSettings(image.trim(), command, env, labels, network, containerPort, ports, nanoCpus, memory,
                grace, health);
    }

    private static long nanoCpus(String text) {
        double cpus;
        try {
            cpus = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            cpus = Double.NaN;
        }
        if (!(cpus >= 0.01 && cpus <= CPUS_MAX)) {
            throw invalid(CPUS, "must be a number of CPUs from 0.01 to " + (int) CPUS_MAX + ", like 1.5; was '"
                    + text + "'");
        }
        return Math.round(cpus * 1e9);
    }

    private static long memoryBytes(String text) {
        Matcher m = MEMORY_TEXT.matcher(text.trim());
        if (m.matches()) {
            long unit = switch (m.group(2).toLowerCase()) {
                case "k" -> 1L << 10;
                case "m" -> 1L << 20;
                case "g" -> 1L << 30;
                default -> 1L;
            };
            long value = Long.parseLong(m.group(1));
            if (value <= Long.MAX_VALUE / unit && value * unit >= MEMORY_MIN) {
                return value * unit;
            }
        }
        throw invalid(MEMORY, "must be a size of at least 6m, like 512m or 2g; was '" + text + "'");
    }

}
