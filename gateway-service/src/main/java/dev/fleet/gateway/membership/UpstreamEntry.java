package dev.fleet.gateway.membership;

import dev.fleet.gateway.pool.Address;

/**
 * One {@code fleet.gateway.pools.<p>.upstreams} entry: {@code http://host:port} or
 * {@code http://host:port;weight=2}. Parsing is strict (no path, no unknown option, a positive
 * weight), because a typo here silently sends traffic somewhere else or nowhere.
 *
 * @param address where the upstream listens
 * @param weight  its relative capacity, 1 by default
 */
public record UpstreamEntry(Address address, double weight) {

    static final double DEFAULT_WEIGHT = 1;

    /** The instance id of a configured upstream: {@code host:port}, stable across restarts and usable in admin paths. */
    public String id() {
        return address.host() + ":" + address.port();
    }

    /** Parses one entry; an {@link IllegalArgumentException} says what is wrong with it. */
    public static UpstreamEntry parse(String text) {
        String[] parts = text.split(";", -1);
        String addressText = parts[0].trim();
        if (addressText.isEmpty()) {
            throw new IllegalArgumentException("empty upstream in '" + text + "'");
        }
        // Address ignores paths and queries; here they would be a mistake, not something to drop quietly.
        String authority = addressText.substring(addressText.indexOf("://") + (addressText.contains("://") ? 3 : 0));
        if (authority.isEmpty() || authority.chars().anyMatch(c -> "/?#@ ".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("'" + addressText + "' is not http://host:port");
        }
        Address address = Address.parse(addressText);
        if (address.port() > 65535) {
            throw new IllegalArgumentException("port " + address.port() + " of '" + addressText + "' is out of range");
        }
        double weight = DEFAULT_WEIGHT;
        for (int i = 1; i < parts.length; i++) {
            weight = weightOption(parts[i].trim(), text);
        }
        return new UpstreamEntry(address, weight);
    }

    private static double weightOption(String option, String text) {
        int equals = option.indexOf('=');
        String name = equals < 0 ? option : option.substring(0, equals).trim();
        if (!name.equals("weight")) {
            throw new IllegalArgumentException("unknown option '" + option + "' in '" + text + "' (only weight=<number>)");
        }
        String value = option.substring(equals + 1).trim();
        double weight;
        try {
            weight = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("weight '" + value + "' in '" + text + "' is not a number");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight '" + value + "' in '" + text + "' must be a positive number");
        }
        return weight;
    }
}
