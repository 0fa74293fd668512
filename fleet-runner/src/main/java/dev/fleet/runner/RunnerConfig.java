package dev.fleet.runner;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fleet.client.ClaimAheadSizing;

/**
 * The runner's settings, from flags ({@code --pool browser} or {@code --pool=browser}), else
 * environment variables ({@code FLEET_RUNNER_POOL}), else defaults. Bad values are refused with
 * a message naming the flag.
 */
public record RunnerConfig(String pool, String queue, int concurrency, int maxSessions, String bind, int port,
        String advertiseHost, int advertisePort, Map<String, String> labels, URI queueUrl, URI sessionUrl, URI telemetryUrl,
        String token, Duration grace, Duration claimWait, Duration startupTimeout, boolean allowCommands,
        double httpSampleRate, int telemetryMaxRate, List<URI> channelUrls, JobPath jobPath) {

    /**
     * How jobs are fetched and reported: {@code claimAhead} says how many jobs are claimed beyond the
     * free slots, outcomes are coalesced for {@code completeWindow} into requests of at most
     * {@code completeBatch}.
     */
    public record JobPath(ClaimAheadSizing claimAhead, Duration completeWindow, int completeBatch) {
    }

    /** One setting: its flag, its environment variable, its default ("" = none) and what it does. */
    record Option(String flag, String env, String fallback, String help) {
    }

    static final List<Option> OPTIONS = List.of(
            new Option("pool", "FLEET_RUNNER_POOL", "default", "the pool this runner joins in session-service"),
            new Option("queue", "FLEET_RUNNER_QUEUE", "", "the queue it takes jobs from (default: the pool's name)"),
            new Option("concurrency", "FLEET_RUNNER_CONCURRENCY", "4", "job slots: jobs run at once (1–256)"),
            new Option("max-sessions", "FLEET_RUNNER_MAX_SESSIONS", "", "sessions it accepts (default: concurrency)"),
            new Option("bind", "FLEET_RUNNER_BIND", "0.0.0.0", "address its HTTP server listens on"),
            new Option("port", "FLEET_RUNNER_PORT", "9100", "HTTP port (0: any free port)"),
            new Option("advertise-host", "FLEET_RUNNER_ADVERTISE_HOST", "127.0.0.1",
                    "host name in the endpoint it registers (how the gateway reaches it)"),
            new Option("advertise-port", "FLEET_RUNNER_ADVERTISE_PORT", "",
                    "port in that endpoint, where it differs from --port (a container's published port)"),
            new Option("labels", "FLEET_RUNNER_LABELS", "", "labels sessions can ask for: k=v,k=v"),
            new Option("queue-url", "FLEET_QUEUE_URL", "http://127.0.0.1:8081", "queue-service"),
            new Option("session-url", "FLEET_SESSION_URL", "http://127.0.0.1:8082", "session-service"),
            new Option("telemetry-url", "FLEET_TELEMETRY_URL", "http://127.0.0.1:8084",
                    "telemetry-service ('none': no telemetry)"),
            new Option("token", "FLEET_RUNNER_TOKEN", "", "bearer token of the runner role (required)"),
            new Option("grace", "FLEET_RUNNER_GRACE", "30s", "at shutdown, how long running jobs may take to finish"),
            new Option("claim-wait", "FLEET_RUNNER_CLAIM_WAIT", "5s", "long-poll wait of one claim (≤ 30s)"),
            new Option("claim-ahead", "FLEET_RUNNER_CLAIM_AHEAD", "auto",
                    "jobs claimed beyond the free slots, held in a local buffer (0–1000, or 'auto': about"
                            + " --claim-ahead-horizon of work at the rate jobs finish here, from concurrency to 500)"),
            new Option("claim-ahead-horizon", "FLEET_RUNNER_CLAIM_AHEAD_HORIZON", "200ms",
                    "with --claim-ahead auto, how much work the buffer holds (≤ 10s)"),
            new Option("complete-window", "FLEET_RUNNER_COMPLETE_WINDOW", "2ms",
                    "how long outcomes wait to share one complete/fail request (≤ 1s)"),
            new Option("complete-batch", "FLEET_RUNNER_COMPLETE_BATCH", "200", "most outcomes per request (1–1000)"),
            new Option("startup-timeout", "FLEET_RUNNER_STARTUP_TIMEOUT", "30s",
                    "how long to retry unreachable services at start before giving up"),
            new Option("allow-commands", "FLEET_RUNNER_ALLOW_COMMANDS", "false",
                    "enable the 'command' job handler (runs payload.argv: only where every producer is trusted)"),
            new Option("http-sample-rate", "FLEET_RUNNER_HTTP_SAMPLE_RATE", "0.01",
                    "share of HTTP requests timed into telemetry (0–1)"),
            new Option("telemetry-max-rate", "FLEET_RUNNER_TELEMETRY_MAX_RATE", "200",
                    "most samples kept per feature and second, the rest thinned with their sampleRate (0: keep all)"),
            new Option("channel-urls", "FLEET_RUNNER_CHANNEL_URLS", "",
                    "session-service replicas for the runner channel, comma-separated (default: the session URL;"
                            + " 'none': poll only)"));

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    /** @throws IllegalArgumentException naming the flag at fault */
    public static RunnerConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            String fromEnv = env.get(option.env());
            values.put(option.flag(), fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : option.fallback());
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            if (name.contains("=")) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            } else if (name.equals("allow-commands")) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            values.put(name, value);
        }
        return from(values);
    }

    private static RunnerConfig from(Map<String, String> v) {
        String pool = name(v, "pool");
        String queue = v.get("queue").isEmpty() ? pool : name(v, "queue");
        int concurrency = number(v, "concurrency", 1, 256);
        int maxSessions = v.get("max-sessions").isEmpty() ? concurrency : number(v, "max-sessions", 0, 10_000);
        if (v.get("token").isEmpty()) {
            throw new IllegalArgumentException("--token (or FLEET_RUNNER_TOKEN) is required: a bearer token of the"
                    + " runner role");
        }
        Duration claimWait = duration(v, "claim-wait");
        if (claimWait.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException("--claim-wait may be at most 30s (queue-service's limit)");
        }
        Duration horizon = duration(v, "claim-ahead-horizon");
        if (horizon.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("--claim-ahead-horizon may be at most 10s");
        }
        ClaimAheadSizing claimAhead;
        if (v.get("claim-ahead").equals("auto")) {
            claimAhead = ClaimAheadSizing.adaptive(concurrency, horizon);
        } else if (v.get("claim-ahead").matches("\\d{1,4}")) {
            claimAhead = ClaimAheadSizing.fixed(number(v, "claim-ahead", 0, 1000));
        } else {
            throw new IllegalArgumentException("--claim-ahead must be 'auto' or a whole number from 0 to 1000, got '"
                    + v.get("claim-ahead") + "'");
        }
        Duration completeWindow = duration(v, "complete-window");
        if (completeWindow.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("--complete-window may be at most 1s");
        }
        JobPath jobPath = new JobPath(claimAhead, completeWindow, number(v, "complete-batch", 1, 1000));
        double sampleRate;
        try {
            sampleRate = Double.parseDouble(v.get("http-sample-rate"));
        } catch (NumberFormatException e) {
            sampleRate = -1;
        }
        if (sampleRate < 0 || sampleRate > 1) {
            throw new IllegalArgumentException("--http-sample-rate must be a number from 0 to 1");
        }
        return new RunnerConfig(pool, queue, concurrency, maxSessions, v.get("bind"), number(v, "port", 0, 65535),
                v.get("advertise-host"), v.get("advertise-port").isEmpty() ? 0 : number(v, "advertise-port", 1, 65535),
                labels(v.get("labels")), url(v, "queue-url"), url(v, "session-url"),
                v.get("telemetry-url").equals("none") ? null : url(v, "telemetry-url"), v.get("token"),
                duration(v, "grace"), claimWait, duration(v, "startup-timeout"), bool(v, "allow-commands"), sampleRate,
                number(v, "telemetry-max-rate", 0, 1_000_000), channelUrls(v, url(v, "session-url")), jobPath);
    }

    /** Where the runner channel connects: none, the session URL, or the listed replicas. */
    private static List<URI> channelUrls(Map<String, String> v, URI sessionUrl) {
        String listed = v.get("channel-urls");
        if (listed.equals("none")) {
            return List.of();
        }
        if (listed.isEmpty()) {
            return List.of(sessionUrl);
        }
        return java.util.Arrays.stream(listed.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(u -> url(Map.of("channel-urls", u), "channel-urls")).toList();
    }

    /** The endpoint it registers: where the gateway sends its traffic. */
    public String endpoint(int actualPort) {
        return "http://" + advertiseHost + ":" + (advertisePort > 0 ? advertisePort : actualPort);
    }

    static String usage() {
        StringBuilder text = new StringBuilder("""
                usage: java -jar fleet-runner.jar [--option value ...]
                Runs a Fleet runner: joins a pool in session-service, takes jobs from queue-service,
                serves /health, /echo, /slow, /sse and /ws over HTTP. SIGTERM or SIGINT drains it.

                """);
        for (Option option : OPTIONS) {
            text.append(String.format("  --%-18s %-30s %s%s%n", option.flag(), option.env(), option.help(),
                    option.fallback().isEmpty() ? "" : " [" + option.fallback() + "]"));
        }
        return text.toString();
    }

    private static String name(Map<String, String> v, String flag) {
        String value = v.get(flag);
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new IllegalArgumentException("--" + flag + " must be 1–100 letters, digits, '.', '_' or '-', got '"
                    + value + "'");
        }
        return value;
    }

    private static int number(Map<String, String> v, String flag, int min, int max) {
        try {
            int value = Integer.parseInt(v.get(flag));
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + flag + " must be a whole number from " + min + " to " + max
                + ", got '" + v.get(flag) + "'");
    }

    private static Duration duration(Map<String, String> v, String flag) {
        Matcher m = DURATION.matcher(v.get(flag));
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + flag + " must be a duration like 500ms, 30s or 2m, got '"
                    + v.get(flag) + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private static boolean bool(Map<String, String> v, String flag) {
        return switch (v.get(flag)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + flag + " must be true or false");
        };
    }

    private static URI url(Map<String, String> v, String flag) {
        try {
            URI uri = URI.create(v.get(flag));
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + flag + " must be an http(s) URL, got '" + v.get(flag) + "'");
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--labels must look like k=v,k=v, got '" + text + "'");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels;
    }
}
