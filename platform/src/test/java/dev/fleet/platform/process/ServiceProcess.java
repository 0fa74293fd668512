package dev.fleet.platform.process;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service's packaged jar (by default of the module whose tests run) as a real OS process, with the test
 * profile and its maintenance scheduler on, for tests that need what an in-JVM test cannot do:
 * {@code kill -9} it, run two replicas, or watch the scheduled sweeps run for real. Extra
 * {@code -D} settings may be given per process.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Path OWN_JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final Path jar;
    private final int port;
    private final Path log;
    private final List<String> settings;
    private Process process;

    /** @param settings extra system properties, e.g. {@code -Dfleet.session.sweep-interval=200ms} */
    public ServiceProcess(String... settings) throws IOException {
        this(OWN_JAR, settings);
    }

    /** Another module's service, e.g. {@code ofModule("queue-service")} from a sibling module's tests. */
    public static ServiceProcess ofModule(String module, String... settings) throws IOException {
        return new ServiceProcess(Path.of("..", module, "target/quarkus-app/quarkus-run.jar"), settings);
    }

    private ServiceProcess(Path jar, String... settings) throws IOException {
        this.jar = jar;
        this.port = freePort();
        this.log = Files.createTempFile("fleet-service-" + port + "-", ".log");
        this.settings = List.of(settings);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the service (again, after {@link #kill()}: on the same port) and waits until it is ready. */
    public ServiceProcess start() throws Exception {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run 'mvnw package' first");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-Dquarkus.profile=test",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.test-port=" + port,
                // The test profile turns the scheduler off for in-JVM tests; a real replica runs it.
                "-D%test.quarkus.scheduler.enabled=true"));
        command.addAll(settings);
        command.addAll(List.of("-jar", jar.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        // A loaded 2-core machine can take a minute or more to boot a Quarkus jar next to other builds.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited during start; log: " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not ready within 120 s; log: " + log);
            }
            Thread.sleep(50);
        }
        return this;
    }

    /** What the process has written so far (its log). */
    public String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook runs, in-flight requests and transactions die with the process. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private boolean ready() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url() + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(1000);
            return connection.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
