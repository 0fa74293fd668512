package dev.fleet.queue.periodic;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.job.Priority;
import dev.fleet.queue.queue.QueueNames;

/**
 * A periodic job definition, validated and defaulted: what both {@code PUT /periodic-jobs/{name}}
 * and the {@code fleet.queue.periodic.*} config become before they are stored. Validating in one
 * place means both paths refuse the same things with the same words; the price is that config
 * errors are phrased with the API's field names ({@code timeZone}), which the config loader
 * translates to keys ({@code time-zone}).
 */
record PeriodicJob(String name, String queue, String kind, String payloadJson, Priority priority, String cron,
        String timeZone, MissedPolicy missedPolicy, boolean enabled) {

    /** Same rule as queue names: they appear in URLs, unique keys and logs, so they are kept plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    static final int MAX_KIND_LENGTH = 200;

    /**
     * @param payloadJson JSON text, already known to be well-formed; null means {@code {}}
     * @throws ProblemException 422 naming the first bad field, 413 for an oversized payload
     */
    static PeriodicJob validate(String name, String queue, String kind, String payloadJson, Priority priority,
            String cron, String timeZone, MissedPolicy missedPolicy, Boolean enabled, int maxPayloadBytes) {
        requireName(name);
        QueueNames.require(queue);
        if (kind == null || kind.isBlank() || kind.length() > MAX_KIND_LENGTH) {
            throw ProblemException.invalidField("kind", "kind is 1-" + MAX_KIND_LENGTH + " characters, not blank.");
        }
        String payload = payloadJson == null ? "{}" : payloadJson;
        int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxPayloadBytes) {
            throw ProblemException.tooLarge("payload", maxPayloadBytes,
                    "The payload is " + bytes + " bytes; a job payload may have at most " + maxPayloadBytes + ".");
        }
        if (cron == null) {
            throw ProblemException.invalidField("cron", "cron is required, e.g. '0 9 * * *'.");
        }
        String zone = timeZone == null ? "UTC" : timeZone;
        CronSchedule.parse(cron, zone);
        return new PeriodicJob(name, queue, kind, payload, priority == null ? Priority.P3 : priority, cron.trim(), zone,
                missedPolicy == null ? MissedPolicy.SKIP : missedPolicy, enabled == null || enabled);
    }

    static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalidField("name",
                    "A periodic job name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit.");
        }
        return name;
    }

    CronSchedule schedule() {
        return CronSchedule.parse(cron, timeZone);
    }
}
