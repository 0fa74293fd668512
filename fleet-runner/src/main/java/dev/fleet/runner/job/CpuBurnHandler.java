package dev.fleet.runner.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.fleet.client.ClaimedJob;

/** {@code cpu}: keeps one core busy for {@code payload.ms} (default 1000, at most ten minutes), like a compute-bound job. */
final class CpuBurnHandler implements JobHandler {

    @Override
    public JsonNode handle(ClaimedJob job) throws Exception {
        long ms = Payloads.number(job.payload(), "ms", 1000, 600_000);
        long end = System.nanoTime() + ms * 1_000_000;
        long rounds = 0;
        double sink = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                sink += Math.sqrt(i + rounds);
            }
            rounds++;
            if (Thread.interrupted()) {
                throw new InterruptedException("cpu burn interrupted");
            }
        }
        return JsonNodeFactory.instance.objectNode().put("burnedMs", ms).put("rounds", rounds).put("sink", sink > 0);
    }
}
