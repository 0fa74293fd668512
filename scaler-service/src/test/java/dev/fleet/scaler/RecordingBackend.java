package dev.fleet.scaler;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Singleton;

import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.backend.ScalingBackend;
import dev.fleet.scaler.policy.InvalidPolicyException;

/**
 * A backend for the loop's tests (kind {@code recording}): it runs nothing and remembers every call
 * it got, so a test can see what the scaler asked for and when. Setting {@code fail=true} makes
 * its calls fail. The real backends have their own tests.
 */
@Singleton
public class RecordingBackend implements ScalingBackend {

    public record Call(String pool, String action, int instances, Instant at) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> sizes = new ConcurrentHashMap<>();

    @Override
    public String kind() {
        return "recording";
    }

    @Override
    public void validate(Map<String, String> settings) {
        settings.keySet().stream().filter(key -> !key.equals("fail")).findFirst().ifPresent(key -> {
            throw new InvalidPolicyException("backend.settings." + key, "unknown setting (only 'fail')");
        });
    }

    @Override
    public BackendStatus observe(BackendTarget target) {
        int size = sizes.getOrDefault(target.pool(), 0);
        return new BackendStatus(size, size, size, "recorded");
    }

    @Override
    public BackendStatus scaleTo(BackendTarget target, int instances) {
        calls.add(new Call(target.pool(), "scaleTo", instances, Instant.now()));
        if ("true".equals(target.settings().get("fail"))) {
            throw new BackendException("told to fail", true, null);
        }
        sizes.put(target.pool(), instances);
        return observe(target);
    }

    @Override
    public BackendStatus replaceAll(BackendTarget target) {
        calls.add(new Call(target.pool(), "replaceAll", sizes.getOrDefault(target.pool(), 0), Instant.now()));
        return observe(target);
    }

    public List<Call> calls(String pool) {
        return calls.stream().filter(call -> call.pool().equals(pool)).toList();
    }
}
