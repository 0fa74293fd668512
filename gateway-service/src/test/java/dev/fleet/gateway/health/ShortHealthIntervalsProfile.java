package dev.fleet.gateway.health;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Short intervals so checks and sweeps happen within a test: pool {@code hc} is actively checked
 * (deep layer off, never in panic so an unhealthy instance leaves the pick table); pools {@code ej}
 * and {@code lat} have no active checks (their instances are made up) and fast, short ejections.
 */
public class ShortHealthIntervalsProfile implements QuarkusTestProfile {

    static final String CHECKED = "hc";
    static final String EJECTING = "ej";
    static final String LATENCY = "lat";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        String hc = "fleet.gateway.pools." + CHECKED + ".";
        config.put(hc + "panic-threshold", "0");
        config.put(hc + "health.tcp-interval", "200ms");
        config.put(hc + "health.tcp-timeout", "1s");
        config.put(hc + "health.tcp-failures", "2");
        config.put(hc + "health.http-interval", "200ms");
        config.put(hc + "health.http-timeout", "1s");
        config.put(hc + "health.http-failures", "2");
        config.put(hc + "health.app-interval", "200ms");
        config.put(hc + "health.app-timeout", "1s");
        config.put(hc + "health.app-failures", "2");
        config.put(hc + "health.deep-enabled", "false");
        config.put(hc + "health.recovery-successes", "2");
        for (String pool : new String[] { EJECTING, LATENCY }) {
            String prefix = "fleet.gateway.pools." + pool + ".";
            for (String layer : new String[] { "tcp", "http", "app", "deep" }) {
                config.put(prefix + "health." + layer + "-enabled", "false");
            }
            config.put(prefix + "slow-start", "20s");
            config.put(prefix + "ejection.consecutive-failures", "3");
            config.put(prefix + "ejection.base-time", "500ms");
            config.put(prefix + "ejection.max-time", "5s");
            config.put(prefix + "ejection.max-percent", "50");
            config.put(prefix + "ejection.latency-factor", "3");
            config.put(prefix + "ejection.latency-floor", "50ms");
            config.put(prefix + "ejection.latency-checks", "3");
        }
        config.put("fleet.gateway.pools." + LATENCY + ".ejection.latency-interval", "200ms");
        return config;
    }
}
