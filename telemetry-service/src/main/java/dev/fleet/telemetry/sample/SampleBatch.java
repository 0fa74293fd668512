package dev.fleet.telemetry.sample;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntBiFunction;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.param.InstantParam;

/**
 * A batch of samples, checked and defaulted, held as the parallel arrays that
 * {@link SampleQueries#insert} unnests in one statement. Every sample is checked before anything
 * is stored, so a batch is stored whole or not at all, and the first bad field is named by its
 * position ({@code samples[3].feature}).
 */
final class SampleBatch {

    /** Longest {@code source} and {@code feature}: labels, not free text (the table checks it too). */
    static final int MAX_NAME_LENGTH = 128;

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    final String[] sources;
    final String[] features;
    final Double[] durations;
    final String[] outcomes;
    final OffsetDateTime[] ats;
    final String[] attributes;

    private SampleBatch(int size) {
        sources = new String[size];
        features = new String[size];
        durations = new Double[size];
        outcomes = new String[size];
        ats = new OffsetDateTime[size];
        attributes = new String[size];
    }

    int size() {
        return sources.length;
    }

    /**
     * The samples the per-source cap lets through: for each source, {@code admit} says how many of its
     * samples in this batch may be stored; those are its first ones, the rest are dropped.
     */
    SampleBatch capped(ToIntBiFunction<String, Integer> admit) {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (String source : sources) {
            wanted.merge(source, 1, Integer::sum);
        }
        Map<String, Integer> left = new HashMap<>();
        int kept = 0;
        for (Map.Entry<String, Integer> entry : wanted.entrySet()) {
            int granted = admit.applyAsInt(entry.getKey(), entry.getValue());
            left.put(entry.getKey(), granted);
            kept += granted;
        }
        if (kept == size()) {
            return this;
        }
        SampleBatch batch = new SampleBatch(kept);
        int j = 0;
        for (int i = 0; i < size(); i++) {
            int remaining = left.get(sources[i]);
            if (remaining > 0) {
                left.put(sources[i], remaining - 1);
                batch.sources[j] = sources[i];
                batch.features[j] = features[i];
                batch.durations[j] = durations[i];
                batch.outcomes[j] = outcomes[i];
                batch.ats[j] = ats[i];
                batch.attributes[j] = attributes[i];
                j++;
            }
        }
        return batch;
    }

    /**
     * Checks the batch against the contract and the configured limits; {@code now} is the default
     * {@code at} and the reference for "too far in the future".
     */
    static SampleBatch of(List<IngestSamplesRequest.NewSample> samples, TelemetryConfig config, Instant now) {
        if (samples.isEmpty()) {
            throw ProblemException.invalidField("samples", "A batch carries at least one sample.");
        }
        if (samples.size() > config.maxBatch()) {
            throw ProblemException.overLimit("samples", config.maxBatch(), "A batch carries at most " + config.maxBatch()
                    + " samples (fleet.telemetry.max-batch); this one has " + samples.size() + ". Split it.");
        }
        SampleBatch batch = new SampleBatch(samples.size());
        Instant latest = now.plus(config.maxClockSkew());
        for (int i = 0; i < samples.size(); i++) {
            String field = "samples[" + i + "]";
            IngestSamplesRequest.NewSample sample = samples.get(i);
            if (sample == null) {
                throw ProblemException.invalidField(field, field + " is null; every sample is an object.");
            }
            batch.sources[i] = name(field + ".source", sample.source());
            batch.features[i] = name(field + ".feature", sample.feature());
            batch.durations[i] = duration(field + ".durationMs", sample.durationMs());
            batch.outcomes[i] = outcome(field + ".outcome", sample.outcome()).name();
            batch.ats[i] = Timestamps.param(at(field + ".at", sample.at(), now, latest, config));
            batch.attributes[i] = attributes(field + ".attributes", sample.attributes(), config.maxAttributesBytes());
        }
        return batch;
    }

    private static String name(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.invalidField(field, field + " is required and may not be blank.");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw ProblemException.invalidField(field, field + " is " + value.length() + " characters; at most "
                    + MAX_NAME_LENGTH + " are allowed.").with("limit", MAX_NAME_LENGTH);
        }
        // Names end up as labels in listings, summaries and later rollups; PostgreSQL's text refuses \u0000.
        if (CONTROL.matcher(value).find()) {
            throw ProblemException.invalidField(field, field + " may not contain control characters.");
        }
        return value;
    }

    private static Double duration(String field, Double value) {
        if (value == null) {
            throw ProblemException.invalidField(field, field + " is required (milliseconds, a number >= 0).");
        }
        if (!Double.isFinite(value) || value < 0) {
            throw ProblemException.invalidField(field, field + " must be a finite number >= 0, not " + value + ".");
        }
        return value;
    }

    private static SampleOutcome outcome(String field, String value) {
        if (value == null) {
            return SampleOutcome.ok;
        }
        SampleOutcome outcome = SampleOutcome.parse(value);
        if (outcome == null) {
            throw ProblemException.invalidField(field, field + " is 'ok' or 'error', not '" + value + "'.");
        }
        return outcome;
    }

    private static Instant at(String field, String value, Instant now, Instant latest, TelemetryConfig config) {
        Instant at = InstantParam.parse(field, value);
        if (at == null) {
            return now;
        }
        // A little ahead is clock drift; far ahead is a bug that would also dodge retention.
        if (at.isAfter(latest)) {
            throw ProblemException.invalidField(field, field + " (" + value + ") lies more than "
                    + config.maxClockSkew() + " in the future (fleet.telemetry.max-clock-skew).");
        }
        return at;
    }

    private static String attributes(String field, JsonNode value, int maxBytes) {
        if (value == null || value.isNull()) {
            return "{}";
        }
        if (!value.isObject()) {
            throw ProblemException.invalidField(field, field + " must be a JSON object, not " + value.getNodeType() + ".");
        }
        String json = value.toString();
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw ProblemException.invalidField(field, field + " is " + bytes + " bytes of JSON; at most " + maxBytes
                    + " are allowed (fleet.telemetry.max-attributes-bytes).").with("limit", maxBytes);
        }
        // jsonb cannot store the character \u0000; refuse it here rather than fail the insert.
        if (containsNul(value)) {
            throw ProblemException.invalidField(field, field + " may not contain the character \\u0000.");
        }
        return json;
    }

    private static boolean containsNul(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (member.getKey().indexOf('\0') >= 0 || containsNul(member.getValue())) {
                    return true;
                }
            }
            return false;
        }
        for (JsonNode element : node) { // array elements; scalars have none
            if (containsNul(element)) {
                return true;
            }
        }
        return false;
    }
}
