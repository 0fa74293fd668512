package dev.fleet.gateway.proxy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.WaitQueue;
import dev.fleet.gateway.route.Route;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

/**
 * One client request on its way through the gateway: waiting for a slot, forwarded (body streamed
 * with back-pressure and a size limit), answered (response streamed unbuffered), perhaps retried
 * once elsewhere. Runs on the client connection's event loop; a waiter started from another
 * thread hops back onto it. Its slot is released exactly once.
 */
final class Exchange implements WaitQueue.Waiter {

    private final ProxyHandler proxy;
    private final HttpClient client;
    private final Context context;
    private final HttpServerRequest request;
    private final Route route;
    private final Pool pool;
    private final int priority;
    private final String requestId;
    private final long maxBodySize;
    private final long arrivedNanos = System.nanoTime();

    private Pick pick;
    private Instance instance;
    private boolean retried;
    private boolean reconnected;
    private boolean finished;
    private long queueTimer = -1;
    private HttpClientRequest upstream;
    private long bodyBytes;

    Exchange(ProxyHandler proxy, HttpClient client, Context context, HttpServerRequest request, Route route, Pool pool, int priority,
            String requestId, long maxBodySize) {
        this.proxy = proxy;
        this.client = client;
        this.context = context;
        this.request = request;
        this.route = route;
        this.pool = pool;
        this.priority = priority;
        this.requestId = requestId;
        this.maxBodySize = maxBodySize;
    }

    // --- admission ---------------------------------------------------------------------------

    /** Takes a slot now, or waits in the pool's queue for one (bounded, with a deadline). */
    void admit(Pick pick) {
        this.pick = pick;
        pool.retryBudget().onRequest();
        if (pool.snapshot().size() == 0) {
            fail(503, GatewayProblems.NO_HEALTHY_INSTANCE, "pool '" + pool.name() + "' has no instance to send to",
                    Duration.ofSeconds(1));
            return;
        }
        Instance acquired = pool.acquire(route.balancer(), pick);
        if (acquired != null) {
            forward(acquired);
            return;
        }
        if (route.balancer().pinned() && pool.snapshot().byId(pick.key()) == null) {
            fail(503, GatewayProblems.NO_HEALTHY_INSTANCE, "the session's runner " + pick.key() + " is not available",
                    Duration.ofSeconds(1));
            return;
        }
        if (!pool.waiting().offer(this)) {
            proxy.metrics().rejected(pool.name(), GatewayProblems.QUEUE_FULL);
            fail(429, GatewayProblems.QUEUE_FULL, "every instance of pool '" + pool.name()
                    + "' is busy and its queue is full", Duration.ofSeconds(1));
            return;
        }
        Duration timeout = pool.settings().queueTimeout();
        queueTimer = context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (pool.waiting().remove(this)) {
                proxy.metrics().rejected(pool.name(), GatewayProblems.QUEUE_TIMEOUT);
                fail(503, GatewayProblems.QUEUE_TIMEOUT, "every instance of pool '" + pool.name()
                        + "' stayed busy for " + timeout.toMillis() + " ms", Duration.ofSeconds(1));
            }
        });
        request.response().closeHandler(v -> pool.waiting().remove(this));
        // A slot may have freed between the failed acquire and the offer.
        pool.waiting().dispatch(1);
    }

    @Override
    public int priority() {
        return priority;
    }

    /** Called by the queue (any thread) when slots free up. */
    @Override
    public boolean tryStart() {
        Instance acquired = pool.acquire(route.balancer(), pick);
        if (acquired == null) {
            return false;
        }
        context.runOnContext(v -> {
            context.owner().cancelTimer(queueTimer);
            forward(acquired);
        });
        return true;
    }

    // --- forwarding --------------------------------------------------------------------------

    private void forward(Instance target) {
        instance = target;
        if (request.response().closed()) {
            finish(false);
            return;
        }
        request.response().closeHandler(v -> finish(false));
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(target.address().host())
                .setPort(target.address().port())
                .setSsl(target.address().ssl())
                .setURI(route.upstreamUri(request.uri()))
                .setConnectTimeout(route.connectTimeout().toMillis())
                // Vert.x's own per-request timer, cancelled when the response headers arrive: the
                // request timeout. (Re-arming it afterwards would leak: nothing cancels it at the end.)
                .setIdleTimeout(Math.max(1, route.requestTimeout().toMillis()));
        long sentNanos = System.nanoTime();
        client.request(options).onComplete(ready -> {
            if (finished) {
                // the client left while the connection was being made
                if (ready.succeeded()) {
                    ready.result().reset();
                }
                return;
            }
            if (ready.failed()) {
                connectFailed(ready.cause());
            } else {
                send(ready.result(), sentNanos);
            }
        });
    }

    private void send(HttpClientRequest upstreamRequest, long sentNanos) {
        upstream = upstreamRequest;
        ForwardedHeaders.forRequest(request, requestId, upstreamRequest.headers());
        upstreamRequest.response().onComplete(answer -> {
            if (answer.failed()) {
                upstreamFailed(answer.cause());
            } else {
                respond(answer.result(), sentNanos);
            }
        });
        if (!hasBody()) {
            upstreamRequest.end();
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            upstreamRequest.putHeader("Content-Length", length);
        } else {
            upstreamRequest.setChunked(true);
        }
        request.handler(chunk -> {
            bodyBytes += chunk.length();
            if (bodyBytes > maxBodySize) {
                request.handler(null);
                tooLarge(); // answers first: finishing resets the upstream request
                return;
            }
            upstreamRequest.write(chunk);
            if (upstreamRequest.writeQueueFull()) {
                request.pause();
                upstreamRequest.drainHandler(v -> request.resume());
            }
        });
        request.endHandler(v -> upstreamRequest.end());
        request.exceptionHandler(error -> upstreamRequest.reset());
        request.resume();
    }

    private boolean hasBody() {
        String length = request.getHeader("Content-Length");
        if (length != null) {
            return !length.equals("0");
        }
        if (request.version() != HttpVersion.HTTP_2) {
            return request.getHeader("Transfer-Encoding") != null;
        }
        // HTTP/2 says nothing before the stream ends (the request is paused until then); forwarding
        // an empty chunked body with a GET would make many upstreams close the connection.
        return switch (request.method().name()) {
            case "GET", "HEAD", "OPTIONS", "DELETE", "TRACE" -> false;
            default -> true;
        };
    }

    /** Retry only what can be replayed: an idempotent method without a body, once, within the budget. */
    private boolean mayRetry() {
        return !retried && !hasBody() && route.algorithm() != dev.fleet.gateway.balance.Algorithm.SESSION
                && switch (request.method().name()) {
                    case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
                    default -> false;
                }
                && pool.snapshot().size() > 1 && pool.retryBudget().tryRetry();
    }

    private void connectFailed(Throwable cause) {
        Instance failed = instance;
        if (cause instanceof HttpClosedException && !reconnected) {
            // The pooled keep-alive connection closed as it was handed out (idle timeout, the
            // instance closing it): nothing was sent and the instance did nothing wrong, so a fresh
            // connection to the same instance tries once more, whatever the method.
            reconnected = true;
            forward(failed);
            return;
        }
        int consecutive = failed.recordConnectFailure();
        proxy.outliers().afterFailure(pool, failed, consecutive, "connect");
        releaseSlot();
        if (mayRetry()) {
            retry(failed);
            return;
        }
        fail(502, GatewayProblems.UPSTREAM_UNREACHABLE, "could not connect to " + failed.address() + ": "
                + cause.getMessage(), null);
    }

    private void retry(Instance failed) {
        retried = true;
        proxy.metrics().retried(pool.name());
        Pick other = pick.avoiding(failed);
        Instance next = pool.acquire(route.balancer(), other);
        if (next == null) {
            fail(503, GatewayProblems.NO_HEALTHY_INSTANCE, "no other instance of pool '" + pool.name()
                    + "' is free for a retry", Duration.ofSeconds(1));
            return;
        }
        forward(next);
    }

    private void respond(HttpClientResponse answer, long sentNanos) {
        if (finished) {
            answer.request().reset(); // the client left before the answer came
            return;
        }
        double latencyMs = (System.nanoTime() - sentNanos) / 1e6;
        int status = answer.statusCode();
        boolean failed = status >= 500;
        instance.recordOutcome(latencyMs, failed);
        if (failed) {
            proxy.outliers().afterFailure(pool, instance, instance.consecutiveFailures(), "status " + status);
        }
        if (status == 503 && mayRetry()) {
            Instance refused = instance;
            answer.request().reset();
            releaseSlot();
            retry(refused);
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        if (answer.statusMessage() != null && request.version() != HttpVersion.HTTP_2) {
            response.setStatusMessage(answer.statusMessage());
        }
        ForwardedHeaders.copyEndToEnd(answer.headers(), response.headers());
        response.headers().set(ForwardedHeaders.REQUEST_ID, requestId);
        long length = contentLength(answer.getHeader("Content-Length"));
        if (length < 0 && request.version() == HttpVersion.HTTP_1_1) {
            response.setChunked(true);
        }
        long took = System.nanoTime() - arrivedNanos;
        proxy.metrics().answered(pool.name(), instance, status, took);
        proxy.samples().answered(route.name(), priority, took, status);
        relay(answer, response, length);
    }

    /**
     * Streams the upstream's body to the client as it comes, with back-pressure. A body of known
     * length ends with its last chunk ({@code end(chunk)}: headers, body and end leave in one write for
     * the common small answer); any other chunk is written at once, so streams are never held back.
     */
    private void relay(HttpClientResponse answer, HttpServerResponse response, long length) {
        long[] received = {0};
        answer.handler(chunk -> {
            if (response.closed()) {
                finish(false);
                return;
            }
            received[0] += chunk.length();
            if (received[0] == length) {
                response.end(chunk);
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                answer.pause();
                response.drainHandler(v -> answer.resume());
            }
        });
        answer.exceptionHandler(error -> finish(false));
        answer.endHandler(v -> {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
            finish(!response.closed());
        });
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void timedOut() {
        Instance slow = instance;
        slow.recordOutcome(route.requestTimeout().toMillis(), true);
        proxy.outliers().afterFailure(pool, slow, slow.consecutiveFailures(), "timeout");
        // fail() resets the upstream request once this exchange counts as finished
        fail(504, GatewayProblems.UPSTREAM_TIMEOUT, slow.address() + " did not answer within "
                + route.requestTimeout().toMillis() + " ms", null);
    }

    private void upstreamFailed(Throwable cause) {
        if (finished) {
            return;
        }
        if (cause instanceof TimeoutException) {
            timedOut();
            return;
        }
        Instance failed = instance;
        int consecutive = failed.recordConnectFailure();
        proxy.outliers().afterFailure(pool, failed, consecutive, "reset");
        // No byte of an answer came: a replayable request goes elsewhere, as after a connect failure.
        if (mayRetry()) {
            upstream = null;
            releaseSlot();
            retry(failed);
            return;
        }
        fail(502, GatewayProblems.UPSTREAM_FAILED, failed.address() + " failed before answering: "
                + cause.getMessage(), null);
    }

    private void tooLarge() {
        request.response().putHeader("Connection", "close");
        fail(413, GatewayProblems.BODY_TOO_LARGE, "the request body is larger than " + maxBodySize + " bytes", null);
    }

    /** Ends the exchange with a problem of the gateway's own. */
    void fail(int status, String type, String detail, Duration retryAfter) {
        if (finished) {
            return;
        }
        proxy.metrics().problem(pool == null ? "" : pool.name(), type);
        GatewayProblems.send(request.response(), status, type, detail, requestId, retryAfter);
        finish(false);
    }

    private void finish(boolean completed) {
        if (finished) {
            return;
        }
        finished = true;
        releaseSlot();
        if (!completed && upstream != null) {
            upstream.reset();
        }
    }

    private void releaseSlot() {
        if (instance != null) {
            Instance held = instance;
            instance = null;
            pool.release(held);
        }
    }
}
