package dev.fleet.scaler.backend.docker;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The docker backend's machine-wide settings ({@code fleet.scaler.docker.*}, env
 * {@code FLEET_SCALER_DOCKER_*}). Per-pool settings (image, env, network, resources) are the pool's
 * {@code backend.settings}; see {@link DockerSettings}.
 */
@ConfigMapping(prefix = "fleet.scaler.docker")
public interface DockerBackendConfig {

    /**
     * The Docker Engine API: {@code unix:///var/run/docker.sock}, Podman's
     * {@code unix:///run/podman/podman.sock}, or {@code tcp://host:port}.
     */
    @WithDefault("unix:///var/run/docker.sock")
    String host();

    /** API version in request paths; v1.41 is served by Docker 20.10+ and Podman 3+. */
    @WithDefault("v1.41")
    String apiVersion();

    /**
     * Which scaler's containers these are: the value of their {@code dev.fleet.managed-by} label and
     * the start of their names ({@code <scope>-<pool>-<index>}). Scalers sharing a daemon (two
     * stacks on one machine) need scopes of their own, or they would adopt each other's containers.
     */
    @WithDefault("fleet")
    String scope();

    /** Host ports for pools whose settings name none. */
    @WithDefault("9300-9399")
    String ports();

    /** The address runners advertise (host name in their endpoint): where the gateway reaches the published ports. */
    @WithDefault("127.0.0.1")
    String advertiseHost();

    /** Given to every container as {@code FLEET_RUNNER_TOKEN}. Unset: only the pool's {@code env.*}. */
    Optional<String> runnerToken();

    /** Longest an API call may take, but for a stop, which may also take its grace period. */
    @WithDefault("30s")
    Duration apiTimeout();

    /** A container that exits sooner than this after its start failed to start. */
    @WithDefault("1s")
    Duration startCheck();

    /** Longest one readiness probe ({@code GET http://<advertise-host>:<port><health>}) may take. */
    @WithDefault("1s")
    Duration healthTimeout();
}
