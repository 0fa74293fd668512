package dev.fleet.scaler.backend.process;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The process backend's machine-wide settings ({@code fleet.scaler.process.*}, env
 * {@code FLEET_SCALER_PROCESS_*}). Per-pool settings (command, ports, grace, workdir, health) are
 * the pool's {@code backend.settings}; see {@link ProcessSettings}.
 */
@ConfigMapping(prefix = "fleet.scaler.process")
public interface ProcessBackendConfig {

    /** Ports for pools whose settings name none: a range like {@code 9200-9999} (or one port). */
    @WithDefault("9200-9999")
    String ports();

    /**
     * Given to every started process as {@code FLEET_RUNNER_TOKEN} (the reference runner's bearer
     * token, runner role). Unset: processes get the scaler's own environment only.
     */
    Optional<String> runnerToken();

    /** Directory for the processes' output: one file per process (stdout and stderr together). */
    @WithDefault("${java.io.tmpdir}/fleet-scaler-processes")
    String logDir();

    /** A process that exits sooner than this after its start failed to start (bad command, port taken). */
    @WithDefault("1s")
    Duration startCheck();

    /** Longest one readiness probe ({@code GET http://127.0.0.1:<port><health>}) may take. */
    @WithDefault("1s")
    Duration healthTimeout();

    /**
     * This machine's name in {@code scaler.processes}: a PID means something only on the machine
     * that has it, so each scaler sees only its own host's rows. Default: the host name.
     */
    Optional<String> host();
}
