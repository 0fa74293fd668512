package dev.fleet.gateway.admin;

/** {@code PUT …/weight} body: a fixed weight (> 0), or null to go back to the formula. */
public record WeightOverride(Double weight) {
}
