package dev.fleet.gateway.balance;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The balancing algorithms a route may name ({@code fleet.gateway.routes.<r>.algorithm}). */
public enum Algorithm {
    LEAST_CONNECTIONS("least-connections"),
    ROUND_ROBIN("round-robin"),
    WEIGHTED_ROUND_ROBIN("weighted-round-robin"),
    LEAST_RESPONSE_TIME("least-response-time"),
    CONSISTENT_HASH("consistent-hash"),
    SESSION("session");

    private final String configName;

    Algorithm(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Algorithm parse(String text) {
        for (Algorithm algorithm : values()) {
            if (algorithm.configName.equals(text)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + text + "'; one of "
                + Arrays.stream(values()).map(Algorithm::configName).collect(Collectors.joining(", ")));
    }

    /** A new balancer (each route has its own, e.g. its own round-robin counter). */
    public Balancer newBalancer(double hashLoadFactor) {
        return switch (this) {
            case LEAST_CONNECTIONS -> new LeastConnections();
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobin();
            case LEAST_RESPONSE_TIME -> new LeastResponseTime();
            case CONSISTENT_HASH -> new ConsistentHash(hashLoadFactor);
            case SESSION -> new SessionRouting();
        };
    }
}
