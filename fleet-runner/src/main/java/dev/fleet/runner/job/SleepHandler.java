package dev.fleet.runner.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.fleet.client.ClaimedJob;

/** {@code sleep}: waits {@code payload.ms} (default 1000, at most one hour), like a job waiting on I/O. */
final class SleepHandler implements JobHandler {

    @Override
    public JsonNode handle(ClaimedJob job) throws Exception {
        long ms = Payloads.number(job.payload(), "ms", 1000, 3_600_000);
        Thread.sleep(ms);
        return JsonNodeFactory.instance.objectNode().put("sleptMs", ms);
    }
}
