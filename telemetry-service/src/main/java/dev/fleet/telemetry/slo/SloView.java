package dev.fleet.telemetry.slo;

/**
 * One objective's attainment in a window: {@code objective} {@code job-wait} (scope: the queue) or
 * {@code request-latency} (scope: the gateway route), for one priority class. {@code ratio} is the
 * share of events within {@code targetMs}, each sample weighted by 1 / its {@code sampleRate}.
 */
public record SloView(String objective, String scope, String priority, double targetMs, double goal, long samples,
        double ratio, boolean attained) {
}
