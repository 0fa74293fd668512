package dev.fleet.session.lease;

import io.vertx.core.json.JsonObject;

import dev.fleet.session.config.SessionConfig;

/**
 * What a live session holds on its host: an X11 display, a block of ports and a volume (or
 * prefix) name. No other live session on the same host holds any of them.
 */
public record Resources(int display, int portFrom, int portTo, String volume) {

    /** Resources from the lease values ({@code {"display": n, "ports": block, "volume": n}}), or null when none. */
    public static Resources fromLeases(JsonObject leases, SessionConfig.Leases ranges) {
        if (leases == null || !leases.containsKey(ResourceLeases.DISPLAY)) {
            return null;
        }
        int block = leases.getInteger(ResourceLeases.PORTS);
        int portFrom = ranges.portMin() + block * ranges.portBlockSize();
        return new Resources(leases.getInteger(ResourceLeases.DISPLAY), portFrom,
                portFrom + ranges.portBlockSize() - 1, ranges.volumePrefix() + leases.getInteger(ResourceLeases.VOLUME));
    }

    /** The resources as operation metadata, so the runner learns what it may use. */
    public JsonObject toJson() {
        return new JsonObject().put("display", display).put("portFrom", portFrom).put("portTo", portTo).put("volume", volume);
    }
}
