package dev.fleet.gateway.health;

import java.time.Duration;
import java.util.Locale;

import dev.fleet.gateway.config.GatewayConfig.HealthChecks;

/**
 * The active health-check layers, cheapest first. Each owns one bit of
 * {@link dev.fleet.gateway.pool.Instance#failedLayers()}, so an instance is unhealthy while any
 * layer fails and the admin API can tell which. The accessors read the layer's own keys from
 * {@code fleet.gateway.pools.<pool>.health.*}; a switch instead of per-constant lambdas keeps the
 * mapping readable in one place (and free of reflection).
 */
public enum HealthLayer {

    /** The port accepts a TCP connection. */
    TCP(1),
    /** Any HTTP answer below 500 on {@code http-path}: the server runs. */
    HTTP(2),
    /** 200 with an ok/up/healthy {@code status} (if any) on {@code app-path}: the runner says it is fine. */
    APP(4),
    /** 2xx on {@code deep-path}: the runner's dependencies work too. */
    DEEP(8);

    private final int bit;

    HealthLayer(int bit) {
        this.bit = bit;
    }

    /** The layer's bit for {@code Instance.markLayer}. */
    public int bit() {
        return bit;
    }

    public boolean enabled(HealthChecks checks) {
        return switch (this) {
            case TCP -> checks.tcpEnabled();
            case HTTP -> checks.httpEnabled();
            case APP -> checks.appEnabled();
            case DEEP -> checks.deepEnabled();
        };
    }

    public Duration interval(HealthChecks checks) {
        return switch (this) {
            case TCP -> checks.tcpInterval();
            case HTTP -> checks.httpInterval();
            case APP -> checks.appInterval();
            case DEEP -> checks.deepInterval();
        };
    }

    public Duration timeout(HealthChecks checks) {
        return switch (this) {
            case TCP -> checks.tcpTimeout();
            case HTTP -> checks.httpTimeout();
            case APP -> checks.appTimeout();
            case DEEP -> checks.deepTimeout();
        };
    }

    /** Consecutive failed checks that mark the layer failed. */
    public int failures(HealthChecks checks) {
        return switch (this) {
            case TCP -> checks.tcpFailures();
            case HTTP -> checks.httpFailures();
            case APP -> checks.appFailures();
            case DEEP -> checks.deepFailures();
        };
    }

    /** The request path of an HTTP-based layer; TCP has none (null). */
    public String path(HealthChecks checks) {
        return switch (this) {
            case TCP -> null;
            case HTTP -> checks.httpPath();
            case APP -> checks.appPath();
            case DEEP -> checks.deepPath();
        };
    }

    /** Lower-case name for logs and reasons ({@code app}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
