package dev.fleet.telemetry.input;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where the findings read the other services' figures ({@code fleet.telemetry.inputs.*}): the runners'
 * heartbeats from session-service and the queues' stats from queue-service, as the scaler reads them.
 */
@ConfigMapping(prefix = "fleet.telemetry.inputs")
public interface InputsConfig {

    /** queue-service, read for each queue's depth and oldest waiting job ({@code GET /queues}). */
    @WithDefault("http://127.0.0.1:8081")
    URI queueUrl();

    /** session-service, read for the runners' heartbeat figures and health ({@code GET /runners}). */
    @WithDefault("http://127.0.0.1:8082")
    URI sessionUrl();

    /** Bearer token for those reads; default: the first of {@code fleet.auth.admin-tokens}. */
    Optional<String> token();

    /** How long one read may take; a slower one counts as unread. */
    @WithDefault("2s")
    Duration timeout();

    /**
     * The queue a pool's runners work, for pools whose queue is not named like the pool (the
     * scaler's default): {@code fleet.telemetry.inputs.pool-queues.browser=web-jobs}.
     */
    Map<String, String> poolQueues();
}
