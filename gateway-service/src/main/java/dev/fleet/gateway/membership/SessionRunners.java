package dev.fleet.gateway.membership;

import jakarta.inject.Singleton;

import io.vertx.core.Future;

/** Finds the runner that holds a session (session-service), for session routing. */
@Singleton
public class SessionRunners {

    /** The id of the runner holding {@code sessionId}, or null when there is no such live session. */
    public Future<String> runnerOf(String sessionId) {
        return Future.failedFuture(new UnsupportedOperationException("session routing is not built yet"));
    }
}
