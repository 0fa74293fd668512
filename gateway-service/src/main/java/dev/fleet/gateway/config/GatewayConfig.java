package dev.fleet.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;

/** gateway-service settings ({@code fleet.gateway.*}, env {@code FLEET_GATEWAY_*}); reference in the module README. */
@ConfigMapping(prefix = "fleet.gateway")
public interface GatewayConfig {

    /** The proxy listener clients send their traffic to (the admin API stays on {@code quarkus.http.port}). */
    Listener listener();

    /** session-service; when set, runners registered there become the instances of their pool. */
    Optional<URI> sessionUrl();

    /** Bearer token for session-service reads; default: the first of {@code fleet.auth.admin-tokens}. */
    Optional<String> token();

    /** A full membership snapshot from session-service this often; NOTIFY {@code fleet_runner} adds reads in between. */
    @WithDefault("5s")
    Duration membershipRefresh();

    /** How often each pool's pick table (weights, slow start, ejection ends) is rebuilt. */
    @WithDefault("250ms")
    Duration refreshInterval();

    /** How long a session's runner, looked up in session-service, is remembered for session routing. */
    @WithDefault("30s")
    Duration sessionCacheTtl();

    /** How many session → runner lookups are remembered. */
    @WithDefault("100000")
    int sessionCacheSize();

    /** Retries of idempotent requests on another instance. */
    Retry retry();

    /** Sampled request timings sent to telemetry-service, for its request-latency SLOs. */
    Telemetry telemetry();

    /** Routes: which requests go to which pool, and how an instance is chosen. */
    Map<String, RouteConfig> routes();

    /** Per-pool settings; a pool not named here (e.g. one known only from session-service) gets the defaults. */
    @WithDefaults
    Map<String, PoolConfig> pools();

    interface Telemetry {

        /** telemetry-service; unset: no samples are kept or sent. */
        Optional<URI> url();

        /** Share of answered requests sent as {@code gateway.request} samples (0–1). */
        @WithDefault("0.01")
        double sampleRate();

        /** How often the buffered samples are sent, in one batch of at most 1000. */
        @WithDefault("2s")
        Duration flushInterval();

        /** Most samples waiting to be sent; beyond, new ones are dropped and counted. */
        @WithDefault("10000")
        int maxBuffered();
    }

    interface Listener {

        @WithDefault("8000")
        int port();

        @WithDefault("0.0.0.0")
        String host();

        /** Event loops serving the proxy; default: 2 × cores. */
        Optional<Integer> eventLoops();

        /** Larger request headers (all together) answer 431. */
        @WithDefault("16384")
        int maxHeaderSize();

        /** A longer request line answers 414. */
        @WithDefault("8192")
        int maxInitialLineLength();

        /** Larger request bodies answer 413 (bytes). */
        @WithDefault("10485760")
        long maxBodySize();

        /** Connections from clients idle this long are closed. */
        @WithDefault("300s")
        Duration idleTimeout();
    }

    interface Retry {

        /** Retries allowed as a share of requests (0.2: at most 20% extra requests). */
        @WithDefault("0.2")
        double budgetRatio();

        /** Retries a pool may make before its requests have earned any (and the most it saves up beyond them: 10×). */
        @WithDefault("10")
        int reserve();
    }

    interface RouteConfig {

        /** The pool this route sends to. */
        String pool();

        /** Requests whose path starts with this (default: every path). */
        @WithDefault("/")
        String pathPrefix();

        /** Only requests for this host (the Host header without port). */
        Optional<String> host();

        /** Only requests with this header: {@code Name} (present) or {@code Name=value}. */
        Optional<String> header();

        /** Remove the path prefix before forwarding. */
        @WithDefault("false")
        boolean stripPrefix();

        /**
         * {@code least-connections} (dynamic weighted), {@code round-robin}, {@code weighted-round-robin},
         * {@code least-response-time}, {@code consistent-hash} or {@code session}.
         */
        @WithDefault("least-connections")
        String algorithm();

        /** Where consistent-hash and session routing find their key: {@code header:N}, {@code cookie:N} or {@code query:N}. */
        @WithDefault("header:X-Fleet-Session")
        String key();

        /** Consistent hashing: no instance takes more than this × the pool's mean in-flight (bounded load). */
        @WithDefault("1.25")
        double hashLoadFactor();

        @WithDefault("2s")
        Duration connectTimeout();

        /** Until the upstream's response headers arrive. */
        @WithDefault("60s")
        Duration requestTimeout();

        /** No bytes either way for this long ends an open exchange (streams, WebSockets). */
        @WithDefault("300s")
        Duration idleTimeout();
    }

    interface PoolConfig {

        /** Upstreams declared in configuration: {@code http://host:port} or {@code http://host:port;weight=2}. */
        Optional<List<String>> upstreams();

        /** Requests one instance may have in flight; beyond it requests wait in the pool's queue. */
        @WithDefault("256")
        int maxConcurrency();

        /** Requests waiting for a free instance; beyond it 429. */
        @WithDefault("1000")
        int queueSize();

        /** How long a request may wait for a free instance before 503. */
        @WithDefault("5s")
        Duration queueTimeout();

        /** A newly healthy or returning instance ramps its share over this window (0: at once). */
        @WithDefault("30s")
        Duration slowStart();

        /** Below this share of usable instances (percent), spread over all but draining ones rather than fail. */
        @WithDefault("50")
        int panicThreshold();

        Ejection ejection();

        HealthChecks health();
    }

    interface Ejection {

        /** Consecutive 5xx answers or connect failures that eject an instance. */
        @WithDefault("5")
        int consecutiveFailures();

        /** First ejection; each further one lasts longer by this much, up to {@code max-time}. */
        @WithDefault("30s")
        Duration baseTime();

        @WithDefault("300s")
        Duration maxTime();

        /** Never eject more than this share of a pool (percent). */
        @WithDefault("50")
        int maxPercent();

        /** An instance whose latency EWMA stays above this × the pool's median ... */
        @WithDefault("3.0")
        double latencyFactor();

        /** ... and above this ... */
        @WithDefault("100ms")
        Duration latencyFloor();

        /** ... for this many consecutive checks is ejected like a failing one. */
        @WithDefault("3")
        int latencyChecks();

        /** How often latency outliers are looked for. */
        @WithDefault("5s")
        Duration latencyInterval();
    }

    interface HealthChecks {

        /** TCP connect. */
        @WithDefault("true")
        boolean tcpEnabled();

        @WithDefault("5s")
        Duration tcpInterval();

        @WithDefault("2s")
        Duration tcpTimeout();

        @WithDefault("3")
        int tcpFailures();

        /** HTTP: any answer below 500 on {@code http-path}. */
        @WithDefault("true")
        boolean httpEnabled();

        @WithDefault("/")
        String httpPath();

        @WithDefault("10s")
        Duration httpInterval();

        @WithDefault("5s")
        Duration httpTimeout();

        @WithDefault("3")
        int httpFailures();

        /** Application: 200 with the runner's health JSON ({@code status} ok/up/healthy, if present) on {@code app-path}. */
        @WithDefault("true")
        boolean appEnabled();

        @WithDefault("/health")
        String appPath();

        @WithDefault("30s")
        Duration appInterval();

        @WithDefault("10s")
        Duration appTimeout();

        @WithDefault("2")
        int appFailures();

        /** Deep: 2xx on {@code deep-path} (a check that exercises the runner's dependencies). */
        @WithDefault("true")
        boolean deepEnabled();

        @WithDefault("/health?deep=true")
        String deepPath();

        @WithDefault("60s")
        Duration deepInterval();

        @WithDefault("30s")
        Duration deepTimeout();

        @WithDefault("1")
        int deepFailures();

        /** Consecutive successes of a failed layer before the instance counts as healthy again. */
        @WithDefault("2")
        int recoverySuccesses();
    }
}
