package dev.fleet.gateway.membership;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;

/** Waits, boundedly, for a Vert.x future in a test thread. */
final class Futures {

    private Futures() {
    }

    static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
