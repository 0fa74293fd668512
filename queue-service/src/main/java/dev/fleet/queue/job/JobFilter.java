package dev.fleet.queue.job;

/** What a job listing may filter on; null means any. */
public record JobFilter(String queue, JobState state, Priority priority, String kind, String uniqueKey, String fairnessKey) {
}
