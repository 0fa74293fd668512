package dev.fleet.queue.periodic;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.queue.job.Priority;

/**
 * Body of {@code PUT /periodic-jobs/{name}}. It replaces the whole definition: an absent optional
 * field takes its default (payload {@code {}}, priority P3, time zone UTC, missed policy skip,
 * enabled), not the stored value. {@code cron} is a standard 5-field Unix expression evaluated in
 * {@code timeZone} (an IANA id such as {@code Europe/Berlin}).
 */
public record PeriodicJobRequest(
        @NotNull String queue,
        @NotBlank @Size(max = 200) String kind,
        JsonNode payload,
        Priority priority,
        @NotNull @Size(max = 200) String cron,
        @Size(max = 64) String timeZone,
        MissedPolicy missedPolicy,
        Boolean enabled) {
}
