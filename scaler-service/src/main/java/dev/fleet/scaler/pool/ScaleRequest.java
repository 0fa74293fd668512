package dev.fleet.scaler.pool;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** {@code POST /pools/{pool}/scale}: the size wanted, and why (kept in the event). */
public record ScaleRequest(@NotNull @Min(0) Integer instances, @Size(max = 500) String reason) {
}
