package dev.fleet.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The packaged runner ({@code java -jar target/fleet-runner.jar ...}) as an OS process, as an operator runs it. */
final class RunnerProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target/fleet-runner.jar");
    private static final Pattern READY = Pattern.compile("fleet-runner (\\S+) ready: .*, (http://\\S+)");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;

    private RunnerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static RunnerProcess start(List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", JAR.toString()));
        command.addAll(args);
        Path log = Files.createTempFile("fleet-runner-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new RunnerProcess(process, log);
    }

    /** Waits for the "ready" line → the runner id it registered as. */
    String awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher ready = READY.matcher(output());
            if (ready.find()) {
                return ready.group(1);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the runner exited with " + process.exitValue() + ": " + output());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the runner was not ready within 60 s: " + output());
    }

    /** The runner's own HTTP address (from its "ready" line; call after {@link #awaitReady()}). */
    URI url() throws IOException {
        Matcher ready = READY.matcher(output());
        if (!ready.find()) {
            throw new IllegalStateException("the runner is not ready: " + output());
        }
        return URI.create(ready.group(2).replace("0.0.0.0", "127.0.0.1"));
    }

    /** Its {@code /health} answer: what the runner itself says it is doing. */
    JsonNode health() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(url().resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body());
    }

    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
    }

    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits for the exit → its status, or -1 if it still runs after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            killHard();
        }
    }
}
