package dev.fleet.platform.notify;

import java.time.Instant;
import java.util.List;

/** What the NOTIFY listener is doing, for readiness and {@code GET /admin/notifications}. */
public record ListenerStatus(boolean connected, List<String> channels, long reconnects,
        Instant connectedSince, Integer backendPid) {
}
