package dev.fleet.runner.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.fleet.client.ClaimedJob;

/**
 * {@code command}: runs {@code payload.argv} (a list of strings, no shell) with a timeout
 * ({@code payload.timeoutMs}, default 60 s) and returns the exit code and the first 4 KiB of
 * output. A non-zero exit fails the job (retryable). Off unless the runner was started with
 * {@code --allow-commands}: whoever can enqueue could otherwise run anything on this machine.
 */
final class CommandHandler implements JobHandler {

    private static final int MAX_OUTPUT = 4096;

    @Override
    public JsonNode handle(ClaimedJob job) throws Exception {
        List<String> argv = argv(job.payload());
        long timeoutMs = Payloads.number(job.payload(), "timeoutMs", 60_000, 3_600_000);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            // Read on another thread: a blocking read would neither time out nor notice an interrupt.
            FutureTask<byte[]> output = new FutureTask<>(() -> readAtMost(process.getInputStream()));
            Thread.ofVirtual().start(output);
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new JobFailure("command timed out after " + timeoutMs + " ms", true);
            }
            String text = new String(output.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new JobFailure("command exited with " + process.exitValue() + ": " + text, true);
            }
            return JsonNodeFactory.instance.objectNode().put("exitCode", 0).put("output", text);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static List<String> argv(JsonNode payload) throws JobFailure {
        JsonNode argv = payload == null ? null : payload.get("argv");
        if (argv == null || !argv.isArray() || argv.isEmpty()) {
            throw new JobFailure("payload.argv must be a non-empty list of strings", false);
        }
        List<String> words = new ArrayList<>();
        for (JsonNode word : argv) {
            if (!word.isTextual()) {
                throw new JobFailure("payload.argv must be a non-empty list of strings", false);
            }
            words.add(word.asText());
        }
        return words;
    }

    /** Keeps the first 4 KiB and drains the rest, so a chatty command never blocks on a full pipe. */
    private static byte[] readAtMost(InputStream in) throws IOException {
        byte[] kept = new byte[MAX_OUTPUT];
        int used = 0;
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) >= 0; ) {
            int take = Math.min(n, MAX_OUTPUT - used);
            System.arraycopy(chunk, 0, kept, used, take);
            used += take;
        }
        return Arrays.copyOf(kept, used);
    }
}
