package dev.fleet.scaler.backend;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import dev.fleet.scaler.policy.InvalidPolicyException;

/** The backends this replica has, by kind ({@code process}, {@code kubernetes}). */
@Singleton
public class ScalingBackends {

    private final Map<String, ScalingBackend> byKind = new TreeMap<>();

    ScalingBackends(Instance<ScalingBackend> backends) {
        backends.forEach(backend -> byKind.put(backend.kind(), backend));
    }

    public Optional<ScalingBackend> find(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    /** Checks a pool's backend choice and settings, naming the field at fault. */
    public void validate(String kind, Map<String, String> settings) {
        ScalingBackend backend = byKind.get(kind);
        if (backend == null) {
            throw new InvalidPolicyException("backend.kind", "must be one of " + byKind.keySet() + ", was '" + kind
                    + "'");
        }
        backend.validate(settings == null ? Map.of() : settings);
    }
}
