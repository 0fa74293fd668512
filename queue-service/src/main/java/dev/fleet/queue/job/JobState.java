package dev.fleet.queue.job;

/**
 * A job's state; the transitions are drawn in {@code docs/job-states.md}.
 * Live states are {@code scheduled}, {@code available}, {@code running} and {@code failed}
 * (a retry is pending); the others are final.
 */
public enum JobState {
    scheduled, available, running, succeeded, failed, dead, cancelled;

    /** Succeeded, dead or cancelled: nothing more happens to the job. */
    public boolean isFinal() {
        return this == succeeded || this == dead || this == cancelled;
    }
}
