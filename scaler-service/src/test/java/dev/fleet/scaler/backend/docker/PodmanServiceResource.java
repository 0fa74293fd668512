package dev.fleet.scaler.backend.docker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.fleet.scaler.ScalerApi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Podman service for the docker backend's tests: builds the reference runner's image with
 * the project's own script ({@code deploy/images/build fleet-runner}), then starts
 * {@code podman system service} on a socket of its own and points the backend at it. Without
 * podman on this machine it starts nothing and {@link #missing} says why, so the tests are skipped
 * (not passed); {@code .ci/run} installs podman.
 */
public class PodmanServiceResource implements QuarkusTestResourceLifecycleManager {

    static final String RUNNER_IMAGE = "localhost/fleet/fleet-runner:" + System.getProperty("fleet.version",
            "0.1.0-SNAPSHOT");
    /** The tests' containers: {@code fleet-test-<pid>-<pool>-<index>}, apart from any other scaler's. */
    static final String SCOPE = "fleet-test-" + ProcessHandle.current().pid();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration SERVICE_START = Duration.ofSeconds(60);

    /** Why the tests cannot run here, or null when they can. */
    static volatile String missing;

    private Process service;
    private Path socket;

    @Override
    public Map<String, String> start() {
        if (!onPath("podman")) {
            missing = "podman is not installed (apt-get install podman buildah debootstrap runc; .ci/run installs it):"
                    + " the docker backend's tests against a real Podman service are skipped";
            return Map.of("fleet.scaler.docker.host", "unix:///nonexistent/podman.sock");
        }
        try {
            buildRunnerImage();
            socket = Path.of("/tmp", "fleet-podman-" + ProcessHandle.current().pid() + ".sock");
            Files.deleteIfExists(socket);
            service = new ProcessBuilder("podman", "system", "service", "--time=0", "unix://" + socket)
                    .redirectErrorStream(true).redirectOutput(Path.of("target", "podman-service.log").toFile()).start();
            Instant deadline = Instant.now().plus(SERVICE_START);
            while (!Files.exists(socket)) {
                if (!service.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("podman system service did not open " + socket
                            + " (see target/podman-service.log)");
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not start the Podman service", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Map.of("fleet.scaler.docker.host", "unix://" + socket, "fleet.scaler.docker.runner-token",
                ScalerApi.RUNNER, "fleet.scaler.docker.scope", SCOPE);
    }

    private static void buildRunnerImage() throws IOException, InterruptedException {
        Path log = Path.of("target", "images-build.log").toAbsolutePath();
        Process build = new ProcessBuilder(ROOT.resolve("deploy/images/build").toString(), "fleet-runner")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!build.waitFor(BUILD_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new IllegalStateException("deploy/images/build fleet-runner took over " + BUILD_TIMEOUT + " (" + log + ")");
        }
        if (build.exitValue() != 0) {
            throw new IllegalStateException("deploy/images/build fleet-runner failed with " + build.exitValue() + ":\n"
                    + String.join("\n", tail(Files.readAllLines(log), 30)));
        }
    }

    @Override
    public void stop() {
        if (service == null) {
            return;
        }
        try {
            // Whatever a failed test left (its scope is the test's own).
            Process cleanup = new ProcessBuilder("sh", "-c", "podman ps -aq --filter label="
                    + DockerBackend.LABEL_MANAGED_BY + "=" + SCOPE + " | xargs -r podman rm -f -t 1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            cleanup.waitFor(60, TimeUnit.SECONDS);
            service.destroy();
            if (!service.waitFor(10, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the socket file is left behind; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> tail(List<String> lines, int count) {
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }
}
