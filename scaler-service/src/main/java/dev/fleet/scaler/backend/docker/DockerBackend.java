package dev.fleet.scaler.backend.docker;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.backend.HealthProbe;
import dev.fleet.scaler.backend.InstanceSettings;
import dev.fleet.scaler.backend.PoolLocks;
import dev.fleet.scaler.backend.PortRange;
import dev.fleet.scaler.backend.ScalingBackend;
import dev.fleet.scaler.input.FleetReads;
import dev.fleet.scaler.input.FleetReads.RunnerSeen;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.quarkus.runtime.StartupEvent;

/**
 * The {@code docker} backend: a pool's instances are containers of a runner image, made through the
 * Docker Engine API (Docker, or Podman's compatible service). The daemon is the record: every
 * container carries labels naming its scaler's scope, pool, instance and host port, so a restarted
 * scaler lists them and carries on (adoption), and containers that exited are removed.
 *
 * <p>Scale-in never stops a runner with a live session: it reads the pool's runners from
 * session-service, picks idle ones (newest first), drains them there so no session is placed on
 * them meanwhile, reads again, and stops those still idle. A pool with fewer idle runners than it
 * has to lose shrinks as they become idle. If session-service cannot be read, nothing is stopped.
 * Stops are graceful and shared: {@code POST /containers/{id}/stop?t=<grace>} (SIGTERM, SIGKILL
 * after the grace period) for all at once, then removal. {@link #replaceAll} starts the fresh set
 * first, then stops every old container whatever it runs: it is the emergency path.
 *
 * <p>Calls block and must come from a worker thread. Calls for one pool are serialised; choosing
 * ports and instance numbers is serialised across pools.
 */
@Singleton
public class DockerBackend implements ScalingBackend {

    public static final String KIND = "docker";
    /** Labels under this prefix are the backend's own. */
    public static final String LABEL_NAMESPACE = "dev.fleet.";
    static final String LABEL_POOL = "dev.fleet.pool";
    static final String LABEL_QUEUE = "dev.fleet.queue";
    static final String LABEL_INSTANCE = "dev.fleet.instance";
    static final String LABEL_PORT = "dev.fleet.port";
    static final String LABEL_MANAGED_BY = "dev.fleet.managed-by";

    private static final Logger LOG = Logger.getLogger(DockerBackend.class);
    private static final int LOG_TAIL_LINES = 40;
    private static final int DETAIL_MAX_CONTAINERS = 10;
    private static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(30);

    private final DockerBackendConfig config;
    private final DockerApi api;
    private final FleetReads fleet;
    private final PortRange defaultPorts;
    private final HealthProbe health;
    private final ObjectMapper json;
    private final Map<String, Integer> desired = new ConcurrentHashMap<>();
    private final PoolLocks locks = new PoolLocks();
    private final Object allocationLock = new Object();

    DockerBackend(DockerBackendConfig config, FleetReads fleet, ObjectMapper json) {
        this.config = config;
        this.fleet = fleet;
        this.json = json;
        this.defaultPorts = PortRange.parse("fleet.scaler.docker.ports", config.ports());
        this.health = new HealthProbe(config.healthTimeout());
        URI host;
        try {
            host = URI.create(config.host());
            this.api = new DockerApi(host, config.apiVersion(), json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fleet.scaler.docker.host " + e.getMessage(), e);
        }
    }

    void adoptAtStart(@Observes StartupEvent event) {
        URI host = api.host();
        if (host.getScheme().equals("unix") && !Files.exists(Path.of(host.getPath()))) {
            LOG.debugf("Docker backend: no socket at %s; pools using it fail until one is there", host.getPath());
            return;
        }
        try {
            Map<String, List<RunnerContainer>> byPool = new HashMap<>();
            for (RunnerContainer c : reconcile(null)) {
                byPool.computeIfAbsent(c.pool(), p -> new ArrayList<>()).add(c);
            }
            byPool.forEach((pool, containers) -> LOG.infof("Docker backend: pool %s: adopted %d running container(s): %s",
                    pool, containers.size(), containers));
        } catch (RuntimeException e) {
            LOG.warnf("Docker backend: could not list containers at start (the next call will): %s", e.getMessage());
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Parses the settings and, when the daemon answers, checks it has the image. */
    @Override
    public void validate(Map<String, String> settings) {
        DockerSettings parsed = DockerSettings.parse(settings == null ? Map.of() : settings, defaultPorts);
        DockerApi.Answer answer;
        try {
            answer = api.get("/images/" + encode(parsed.image()) + "/json", config.apiTimeout());
        } catch (IOException e) {
            return; // daemon not reachable now: a start reports it
        }
        if (answer.status() == 404) {
            throw InstanceSettings.invalid(DockerSettings.IMAGE, "no image '" + parsed.image()
                    + "' at " + api.host() + ": build it (deploy/images/build) or pull it first");
        }
    }

    @Override
    public BackendStatus observe(BackendTarget target) {
        return status(target, settings(target));
    }

    @Override
    public BackendStatus scaleTo(BackendTarget target, int instances) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must not be negative, was " + instances);
        }
        DockerSettings settings = settings(target);
        return locks.withPool(target.pool(), () -> {
            desired.put(target.pool(), instances);
            List<RunnerContainer> live = reconcile(target.pool());
            if (live.size() < instances) {
                start(target, settings, instances - live.size());
            } else if (live.size() > instances) {
                stopIdle(target, settings, live, live.size() - instances);
            }
            return status(target, settings);
        });
    }

    /** Starts as many fresh containers as run now, then stops every old one (see the class comment). */
    @Override
    public BackendStatus replaceAll(BackendTarget target) {
        DockerSettings settings = settings(target);
        return locks.withPool(target.pool(), () -> {
            List<RunnerContainer> old = reconcile(target.pool());
            start(target, settings, old.size());
            stop(old, settings.grace());
            return status(target, settings);
        });
    }

    /** The pool's running containers, oldest first, after removing those that are not running. */
    public List<RunnerContainer> liveContainers(String pool) {
        return reconcile(pool);
    }

    // ---- listing ------------------------------------------------------------------------------

    private List<RunnerContainer> reconcile(String pool) {
        List<RunnerContainer> running = new ArrayList<>();
        for (RunnerContainer c : list(pool)) {
            if (c.running()) {
                running.add(c);
            } else {
                LOG.infof("Pool %s: removing container %s (%s)", c.pool(), c, c.state());
                remove(c);
            }
        }
        running.sort(Comparator.comparingLong(RunnerContainer::created).thenComparingInt(RunnerContainer::index));
        return running;
    }

    /** The backend's containers of one pool, or (pool null) of all, in any state. */
    private List<RunnerContainer> list(String pool) {
        ObjectNode filters = json.createObjectNode();
        ArrayNode label = filters.putArray("label");
        label.add(LABEL_MANAGED_BY + "=" + config.scope());
        if (pool != null) {
            label.add(LABEL_POOL + "=" + pool);
        }
        JsonNode listed = call("list containers", () -> api.get("/containers/json?all=true&filters="
                + encode(filters.toString()), config.apiTimeout()), 200);
        List<RunnerContainer> containers = new ArrayList<>();
        for (JsonNode c : listed) {
            JsonNode labels = c.path("Labels");
            String name = c.path("Names").path(0).asText(c.path("Id").asText()).replaceFirst("^/", "");
            containers.add(new RunnerContainer(c.path("Id").asText(), name, labels.path(LABEL_POOL).asText(),
                    labels.path(LABEL_INSTANCE).asInt(-1), labels.path(LABEL_PORT).asInt(-1),
                    c.path("State").asText("unknown").toLowerCase(), c.path("Created").asLong()));
        }
        return containers;
    }

    private BackendStatus status(BackendTarget target, DockerSettings settings) {
        List<RunnerContainer> live = reconcile(target.pool());
        List<Boolean> ready = settings.health().map(path -> health.probe(live.stream()
                .map(c -> URI.create(endpoint(settings, c) + path)).toList()))
                .orElseGet(() -> live.stream().map(c -> true).toList());
        int readyCount = (int) ready.stream().filter(Boolean::booleanValue).count();
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(live.size(), DETAIL_MAX_CONTAINERS); i++) {
            shown.add(live.get(i) + (ready.get(i) ? " ready" : " starting"));
        }
        String detail = live.isEmpty() ? "no containers"
                : live.size() + " running, " + readyCount + " ready: " + String.join(", ", shown)
                        + (live.size() > DETAIL_MAX_CONTAINERS ? " and " + (live.size() - DETAIL_MAX_CONTAINERS) + " more"
                                : "");
        return new BackendStatus(desired.getOrDefault(target.pool(), live.size()), live.size(), readyCount, detail);
    }

    // ---- start --------------------------------------------------------------------------------

    private void start(BackendTarget target, DockerSettings settings, int count) {
        if (count == 0) {
            return;
        }
        List<RunnerContainer> created = new ArrayList<>();
        BackendException shortage = null;
        synchronized (allocationLock) {
            Set<Integer> takenPorts = new HashSet<>();
            Set<Integer> takenIndexes = new HashSet<>();
            for (RunnerContainer c : list(null)) {
                takenPorts.add(c.port());
                if (c.pool().equals(target.pool())) {
                    takenIndexes.add(c.index());
                }
            }
            int nextPort = settings.ports().first();
            for (int i = 0; i < count; i++) {
                while (nextPort <= settings.ports().last()
                        && (takenPorts.contains(nextPort) || PortRange.inUse(nextPort))) {
                    nextPort++;
                }
                if (nextPort > settings.ports().last()) {
                    shortage = new BackendException("pool " + target.pool() + ": started " + i + " of " + count
                            + " containers: no free host port left in " + settings.ports(), true, null);
                    break;
                }
                int index = 0;
                while (takenIndexes.contains(index)) {
                    index++;
                }
                takenIndexes.add(index);
                created.add(create(target, settings, index, nextPort++));
            }
        }
        Instant startedAt = Instant.now();
        List<String> failures = new ArrayList<>();
        List<RunnerContainer> started = new ArrayList<>();
        for (RunnerContainer c : created) {
            try {
                call("start " + c.name(), () -> api.post("/containers/" + c.id() + "/start", null, config.apiTimeout()),
                        204, 304);
                started.add(c);
                LOG.infof("Pool %s: started container %s (%s)", target.pool(), c, settings.image());
            } catch (BackendException e) {
                failures.add(e.getMessage());
                remove(c);
            }
        }
        failures.addAll(checkStarted(started, startedAt));
        if (!failures.isEmpty()) {
            throw new BackendException(failures.get(0)
                    + (failures.size() > 1 ? "\n(" + (failures.size() - 1) + " more of this start failed alike)" : ""),
                    false, null);
        }
        if (shortage != null) {
            throw shortage;
        }
    }

    private RunnerContainer create(BackendTarget target, DockerSettings settings, int index, int hostPort) {
        String pool = target.pool();
        String queue = target.queue() == null || target.queue().isBlank() ? pool : target.queue();
        int listenPort = settings.hostNetwork() ? hostPort : settings.containerPort();
        String name = config.scope() + "-" + pool.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + index;

        Map<String, String> env = new LinkedHashMap<>();
        env.put("FLEET_RUNNER_POOL", pool);
        env.put("FLEET_RUNNER_QUEUE", queue);
        env.put("FLEET_RUNNER_PORT", Integer.toString(listenPort));
        env.put("FLEET_RUNNER_ADVERTISE_HOST", config.advertiseHost());
        env.put("FLEET_RUNNER_ADVERTISE_PORT", Integer.toString(hostPort));
        config.runnerToken().ifPresent(token -> env.put("FLEET_RUNNER_TOKEN", token));
        env.putAll(settings.env()); // the pool's own win: it may know better (another advertise host, say)

        ObjectNode body = json.createObjectNode();
        body.put("Image", settings.image());
        if (!settings.command().isEmpty()) {
            ArrayNode cmd = body.putArray("Cmd");
            InstanceSettings.argv(settings.command(), pool, queue, listenPort, index).forEach(cmd::add);
        }
        ArrayNode envList = body.putArray("Env");
        env.forEach((k, v) -> envList.add(k + "=" + v));
        ObjectNode labels = body.putObject("Labels");
        settings.labels().forEach(labels::put);
        labels.put(LABEL_MANAGED_BY, config.scope());
        labels.put(LABEL_POOL, pool);
        labels.put(LABEL_QUEUE, queue);
        labels.put(LABEL_INSTANCE, Integer.toString(index));
        labels.put(LABEL_PORT, Integer.toString(hostPort));
        body.put("StopSignal", "SIGTERM");
        body.put("StopTimeout", graceSeconds(settings.grace()));
        ObjectNode hostConfig = body.putObject("HostConfig");
        hostConfig.put("NetworkMode", settings.network());
        if (!settings.hostNetwork()) {
            body.put("Hostname", name);
            String portKey = settings.containerPort() + "/tcp";
            body.putObject("ExposedPorts").putObject(portKey);
            hostConfig.putObject("PortBindings").putArray(portKey).addObject().put("HostIp", "")
                    .put("HostPort", Integer.toString(hostPort));
        }
        if (settings.nanoCpus() > 0) {
            hostConfig.put("NanoCpus", settings.nanoCpus());
        }
        settings.memoryBytes().ifPresent(bytes -> hostConfig.put("Memory", bytes));

        DockerApi.Answer answer = send("create " + name, () -> api.post("/containers/create?name=" + encode(name), body,
                config.apiTimeout()));
        if (answer.status() == 404) {
            throw new BackendException("pool " + pool + ": no image '" + settings.image() + "' at " + api.host()
                    + ": build it (deploy/images/build) or pull it", false, null);
        }
        if (answer.status() != 201) {
            throw new BackendException("pool " + pool + ": creating container " + name + " at " + api.host()
                    + " answered " + answer.status() + ": " + answer.text().strip(), answer.status() >= 500
                            || answer.status() == 409, null);
        }
        String id = json(answer).path("Id").asText();
        return new RunnerContainer(id, name, pool, index, hostPort, "created", Instant.now().getEpochSecond());
    }

    /** Waits until {@code start-check} has passed since the start; describes (and removes) containers that exited. */
    private List<String> checkStarted(List<RunnerContainer> started, Instant startedAt) {
        List<String> failures = new ArrayList<>();
        if (started.isEmpty()) {
            return failures;
        }
        long left = Duration.between(Instant.now(), startedAt.plus(config.startCheck())).toMillis();
        if (left > 0) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while starting containers", true, e);
            }
        }
        for (RunnerContainer c : started) {
            JsonNode state = call("inspect " + c.name(), () -> api.get("/containers/" + c.id() + "/json",
                    config.apiTimeout()), 200).path("State");
            if (!state.path("Running").asBoolean()) {
                failures.add("pool " + c.pool() + ": container " + c.name() + " exited with status "
                        + state.path("ExitCode").asInt() + " within " + config.startCheck().toMillis()
                        + " ms of its start" + (state.path("Error").asText().isEmpty() ? ""
                                : " (" + state.path("Error").asText() + ")")
                        + "; end of its log:\n" + logTail(c));
                remove(c);
            }
        }
        return failures;
    }

    private String logTail(RunnerContainer c) {
        try {
            DockerApi.Answer answer = api.get("/containers/" + c.id() + "/logs?stdout=true&stderr=true&tail="
                    + LOG_TAIL_LINES, config.apiTimeout());
            String text = ContainerLogs.text(answer.body()).strip();
            return text.isEmpty() ? "(empty)" : text;
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    // ---- stop ---------------------------------------------------------------------------------

    /** Stops up to {@code surplus} idle containers, newest first (see the class comment). */
    private void stopIdle(BackendTarget target, DockerSettings settings, List<RunnerContainer> live, int surplus) {
        Map<String, RunnerSeen> seen = runnersByEndpoint(target.pool());
        List<RunnerContainer> chosen = new ArrayList<>();
        for (int i = live.size() - 1; i >= 0 && chosen.size() < surplus; i--) {
            RunnerSeen runner = seen.get(endpoint(settings, live.get(i)));
            if (runner == null || runner.liveSessions() == 0) {
                chosen.add(live.get(i));
            }
        }
        boolean drained = false;
        for (RunnerContainer c : chosen) {
            RunnerSeen runner = seen.get(endpoint(settings, c));
            if (runner != null && !runner.draining()) {
                try {
                    fleet.drain(runner.id());
                    drained = true;
                } catch (IOException e) {
                    throw new BackendException("pool " + target.pool() + ": cannot drain runner " + runner.id()
                            + " in session-service, so stopping none: " + e.getMessage(), true, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackendException("interrupted while draining runners", true, e);
                }
            }
        }
        if (drained) {
            // A session placed between the first read and the drain keeps its runner.
            Map<String, RunnerSeen> again = runnersByEndpoint(target.pool());
            chosen.removeIf(c -> {
                RunnerSeen runner = again.get(endpoint(settings, c));
                return runner != null && runner.liveSessions() > 0;
            });
        }
        if (chosen.size() < surplus) {
            LOG.infof("Pool %s: keeps %d more container(s) than asked: their runners have live sessions (stops them"
                    + " when idle)", target.pool(), surplus - chosen.size());
        }
        stop(chosen, settings.grace());
    }

    private Map<String, RunnerSeen> runnersByEndpoint(String pool) {
        try {
            Map<String, RunnerSeen> byEndpoint = new HashMap<>();
            for (RunnerSeen runner : fleet.runners(pool)) {
                byEndpoint.put(runner.endpoint(), runner);
            }
            return byEndpoint;
        } catch (IOException e) {
            throw new BackendException("pool " + pool + ": cannot read its runners' sessions from session-service,"
                    + " so stopping none: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while reading runners", true, e);
        }
    }

    /** SIGTERM to all at once, SIGKILL after the shared grace period (the daemon's stop), then removal. */
    private void stop(List<RunnerContainer> victims, Duration grace) {
        if (victims.isEmpty()) {
            return;
        }
        Duration timeout = grace.plus(config.apiTimeout());
        List<Future<?>> stops = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RunnerContainer c : victims) {
                stops.add(threads.submit(() -> {
                    call("stop " + c.name(), () -> api.post("/containers/" + c.id() + "/stop?t=" + graceSeconds(grace),
                            null, timeout), 204, 304, 404);
                    remove(c);
                    LOG.infof("Pool %s: stopped container %s", c.pool(), c);
                    return null;
                }));
            }
        }
        for (Future<?> stop : stops) {
            try {
                stop.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof BackendException b ? b
                        : new BackendException("stopping containers: " + e.getCause(), true, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while stopping containers", true, e);
            }
        }
    }

    private void remove(RunnerContainer c) {
        call("remove " + c.name(), () -> api.delete("/containers/" + c.id() + "?force=true", REMOVE_TIMEOUT), 200, 204,
                404);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Where the container's runner registers itself, as session-service lists it. */
    private String endpoint(DockerSettings settings, RunnerContainer c) {
        return "http://" + settings.env().getOrDefault("FLEET_RUNNER_ADVERTISE_HOST", config.advertiseHost()) + ":"
                + c.port();
    }

    private static long graceSeconds(Duration grace) {
        return (grace.toMillis() + 999) / 1000;
    }

    private interface ApiCall {
        DockerApi.Answer run() throws IOException;
    }

    private DockerApi.Answer send(String what, ApiCall call) {
        try {
            return call.run();
        } catch (IOException e) {
            throw new BackendException("docker backend: " + what + " at " + api.host() + ": " + e.getMessage(), true,
                    e);
        }
    }

    /** Makes the call; any status but {@code expected} is a failure (retryable for 5xx and 409). */
    private JsonNode call(String what, ApiCall call, int... expected) {
        DockerApi.Answer answer = send(what, call);
        for (int status : expected) {
            if (answer.status() == status) {
                return json(answer);
            }
        }
        throw new BackendException("docker backend: " + what + " at " + api.host() + " answered " + answer.status()
                + ": " + answer.text().strip(), answer.status() >= 500 || answer.status() == 409, null);
    }

    private JsonNode json(DockerApi.Answer answer) {
        try {
            return api.json(answer);
        } catch (IOException e) {
            throw new BackendException("docker backend: the daemon answered something that is not JSON: "
                    + e.getMessage(), true, e);
        }
    }

    private DockerSettings settings(BackendTarget target) {
        try {
            return DockerSettings.parse(target.settings() == null ? Map.of() : target.settings(), defaultPorts);
        } catch (InvalidPolicyException e) {
            throw new BackendException("pool " + target.pool() + ": " + e.getMessage(), false, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
