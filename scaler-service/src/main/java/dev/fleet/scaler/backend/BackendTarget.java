package dev.fleet.scaler.backend;

import java.util.Map;

/**
 * The pool a backend acts on: its name, the queue its runners work, and the backend's own
 * settings (already validated by {@link ScalingBackend#validate}).
 */
public record BackendTarget(String pool, String queue, Map<String, String> settings) {

    public String setting(String key, String fallback) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? fallback : value;
    }
}
