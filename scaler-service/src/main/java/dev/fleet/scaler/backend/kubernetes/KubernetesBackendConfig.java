package dev.fleet.scaler.backend.kubernetes;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the kubernetes backend retries API calls that failed for a reason that may pass (a 5xx, 429,
 * 409 conflict, no connection). The defaults give 5 tries within about 4–8 s of waiting, so a pool
 * action either lands or fails well inside one 15 s evaluation interval. The fabric8 client's own
 * retry is switched off ({@code quarkus.kubernetes-client.request-retry-backoff-limit=0}) so the two
 * loops do not multiply.
 */
@ConfigMapping(prefix = "fleet.scaler.kubernetes")
public interface KubernetesBackendConfig {

    int MAX_RETRIES_DEFAULT = 4;
    Duration RETRY_BACKOFF_DEFAULT = Duration.ofMillis(500);

    /** Retries after the first try of an API call that failed transiently; 0 tries once. */
    @WithDefault("4")
    int maxRetries();

    /**
     * Wait before the first retry; it doubles with every further retry and each wait is jittered
     * to between half and all of its value (replicas of the scaler do not retry in step).
     */
    @WithDefault("500ms")
    Duration retryBackoff();
}
