package dev.fleet.queue.job;

/** One line of a batch enqueue's answer: the job, and whether this request created it (false: its unique key was live). */
public record EnqueuedJob(long id, JobState state, boolean created) {
}
