package dev.fleet.runner.job;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading the built-in handlers' payload fields, with errors that name the field. */
final class Payloads {

    private Payloads() {
    }

    /** A whole number field in [0, max], or {@code fallback} when absent. */
    static long number(JsonNode payload, String field, long fallback, long max) throws JobFailure {
        JsonNode value = payload == null ? null : payload.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToLong() || value.asLong() < 0 || value.asLong() > max) {
            throw new JobFailure("payload." + field + " must be a whole number from 0 to " + max + ", got " + value,
                    false);
        }
        return value.asLong();
    }
}
