package dev.fleet.telemetry.sample;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /samples}: a batch stored as one unit. Nothing is checked by Bean Validation:
 * {@link SampleBatch} checks every sample itself, so a bad one is a 422 naming it by position
 * ({@code samples[3].feature}) and the batch is refused whole.
 */
public record IngestSamplesRequest(List<NewSample> samples) {

    /**
     * One sample as a reporter sends it. {@code outcome} and {@code at} arrive as text so that a
     * value that is not one of ours is a 422 naming the field; a value of the wrong JSON type
     * (a string for {@code durationMs}) is a 400 malformed-json naming it, as everywhere in Fleet.
     */
    public record NewSample(
            String source,
            String feature,
            Double durationMs,
            String outcome,
            String at,
            JsonNode attributes) {
    }
}
