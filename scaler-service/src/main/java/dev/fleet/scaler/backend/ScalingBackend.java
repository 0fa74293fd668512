package dev.fleet.scaler.backend;

import java.util.Map;

/**
 * What runs a pool's instances: local processes, a Kubernetes Deployment, and whatever is added
 * later (Docker, a cloud API). Small on purpose. Calls block (they start and stop processes, talk
 * to an API) and are made from a worker thread, one pool at a time.
 */
public interface ScalingBackend {

    /** The name pools use to choose it: {@code process}, {@code kubernetes}. */
    String kind();

    /**
     * Checks a pool's backend settings when the pool is created or changed.
     *
     * @throws dev.fleet.scaler.policy.InvalidPolicyException naming the field, e.g. {@code backend.settings.command}
     */
    void validate(Map<String, String> settings);

    /** What runs for the pool now. */
    BackendStatus observe(BackendTarget target);

    /** Brings the pool to {@code instances}; returns what it has after the call. */
    BackendStatus scaleTo(BackendTarget target, int instances);

    /** Emergency: replaces every instance of the pool with a fresh one, keeping the count. */
    BackendStatus replaceAll(BackendTarget target);
}
