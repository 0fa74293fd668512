package dev.fleet.queue.job;

import java.util.List;

/** A page of jobs, newest first; pass {@code nextCursor} as {@code cursor} for the next page (absent on the last). */
public record JobPage(List<JobView> jobs, Long nextCursor) {
}
