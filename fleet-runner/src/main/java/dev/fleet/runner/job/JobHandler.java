package dev.fleet.runner.job;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.client.ClaimedJob;

/**
 * Does the work of one kind of job. Runs on its own thread; returns the result (any JSON, or null)
 * to complete the job, or throws to fail it ({@link JobFailure} says whether the queue should
 * retry; anything else is retried). It should give up promptly when its thread is interrupted:
 * that happens when the job's lease is lost or the runner is shutting down and the job goes back
 * to the queue.
 */
@FunctionalInterface
public interface JobHandler {

    JsonNode handle(ClaimedJob job) throws Exception;
}
