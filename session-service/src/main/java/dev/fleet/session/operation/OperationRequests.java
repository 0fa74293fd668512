package dev.fleet.session.operation;

import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Bodies of the runner's reports on an operation. */
public final class OperationRequests {

    private OperationRequests() {
    }

    /** {@code POST /operations/{id}/complete}: the operation succeeded; {@code result} is any JSON. */
    public record Complete(Object result) {
    }

    /** {@code POST /operations/{id}/fail}: the operation failed, and why. */
    public record Fail(@NotBlank @Size(max = 2000) String error) {
    }

    /** {@code POST /operations/{id}/progress}: how far it got (0–100) and anything to merge into its metadata. */
    public record Progress(@Min(0) @Max(100) int progress, @Size(max = 32) Map<String, Object> metadata) {
    }
}
