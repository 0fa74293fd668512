package dev.fleet.gateway.proxy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.WaitQueue;
import dev.fleet.gateway.route.Route;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One client request on its way through the gateway: waiting for a slot, forwarded (body streamed
 * with back-pressure and a size limit), answered (response streamed unbuffered), perhaps retried
 * once elsewhere. Runs on the client connection's event loop; a waiter started from another
 * thread hops back onto it. Its slot is released exactly once.
 */
final class Exchange implements WaitQueue.Waiter, UpstreamConnection.Listener {

    private final ProxyHandler proxy;
    private final UpstreamClient client;
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
    private UpstreamConnection upstream;
    private boolean answered;
    private boolean reused;
    private long sentNanos;
    /** The instance's requests in flight, this one included, when this one was sent. */
    private int sentInFlight;
    private long bodyBytes;

    Exchange(ProxyHandler proxy, UpstreamClient client, Context context, HttpServerRequest request, Route route, Pool pool, int priority,
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
        client.acquire(target.address(), route.connectTimeout(), this::connected);
    }

    private void connected(UpstreamConnection connection, Throwable failure) {
        if (finished) {
            if (connection != null) {
                connection.abort(); // the client left while the connection was being made
            }
            return;
        }
        if (failure != null) {
            connectFailed(failure);
        } else {
            send(connection);
        }
    }

    private void send(UpstreamConnection connection) {
        upstream = connection;
        answered = false;
        reused = connection.reused();
        long length = bodyLength();
        RequestHead head = new RequestHead(connection.headBuffer(), request.method().name(), route.upstreamUri(request.uri()));
        ForwardedHeaders.forRequest(request, requestId, head);
        if (length < 0) {
            head.add("Transfer-Encoding", "chunked"); // a Content-Length the client sent is copied as it is
        }
        sentNanos = System.nanoTime();
        sentInFlight = instance.inFlight();
        connection.send(this, head.end(), request.method() == HttpMethod.HEAD, length, route.requestTimeout().toNanos(),
                route.idleTimeout().toNanos());
        if (length == 0) {
            return;
        }
        request.handler(chunk -> {
            bodyBytes += chunk.length();
            if (bodyBytes > maxBodySize) {
                request.handler(null);
                tooLarge(); // answers first: finishing closes the upstream connection
                return;
            }
            if (upstream == connection) {
                connection.writeBody(chunk.getByteBuf());
                if (!connection.writable()) {
                    request.pause(); // resumed by onWritable
                }
            }
        });
        request.endHandler(v -> {
            if (upstream == connection) {
                connection.endBody();
            }
        });
        request.exceptionHandler(error -> finish(false));
        request.resume();
    }

    @Override
    public void onWritable() {
        request.resume();
    }

    /** 0: no body; its length; or -1: a body of unknown length (sent chunked). */
    private long bodyLength() {
        String length = request.getHeader("Content-Length");
        if (length != null) {
            return contentLength(length);
        }
        if (request.version() != HttpVersion.HTTP_2) {
            return request.getHeader("Transfer-Encoding") != null ? -1 : 0;
        }
        // HTTP/2 says nothing before the stream ends (the request is paused until then); forwarding
        // an empty chunked body with a GET would make many upstreams close the connection.
        return switch (request.method().name()) {
            case "GET", "HEAD", "OPTIONS", "DELETE", "TRACE" -> 0;
            default -> -1;
        };
    }

    private boolean hasBody() {
        return bodyLength() != 0;
    }

    private boolean idempotent() {
        return switch (request.method().name()) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }

    /** Retry only what can be replayed: an idempotent method without a body, once, within the budget. */
    private boolean mayRetry() {
        return !retried && !hasBody() && route.algorithm() != dev.fleet.gateway.balance.Algorithm.SESSION
                && idempotent() && pool.snapshot().size() > 1 && pool.retryBudget().tryRetry();
    }

    private void connectFailed(Throwable cause) {
        Instance failed = instance;
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

    @Override
    public void onHead(ResponseHead answer) {
        if (finished) {
            return;
        }
        answered = true;
        double latencyMs = (System.nanoTime() - sentNanos) / 1e6;
        int status = answer.status();
        boolean failed = status >= 500;
        instance.recordOutcome(latencyMs, sentInFlight, failed);
        if (failed) {
            proxy.outliers().afterFailure(pool, instance, instance.consecutiveFailures(), "status " + status);
        }
        if (status == 503 && mayRetry()) {
            Instance refused = instance;
            dropUpstream();
            releaseSlot();
            retry(refused);
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(status);
        if (request.version() != HttpVersion.HTTP_2) {
            String reason = answer.customReason();
            if (reason != null) {
                response.setStatusMessage(reason);
            }
        }
        ForwardedHeaders.copyEndToEnd(answer, response.headers()::add);
        response.headers().set(ForwardedHeaders.REQUEST_ID, requestId);
        if (request.version() == HttpVersion.HTTP_1_1 && !answer.hasContentLength()) {
            response.setChunked(true);
        }
        long took = System.nanoTime() - arrivedNanos;
        proxy.metrics().answered(pool.name(), instance, status, took);
        proxy.samples().answered(route.name(), priority, took, status);
    }

    /**
     * Relays the upstream's body to the client as it comes, with back-pressure. The last piece ends
     * the response ({@code end(chunk)}: for the common small answer of known length, headers, body and
     * end leave in one write); any other piece is written at once, so streams are never held back.
     */
    @Override
    public void onContent(ByteBuf content, boolean last) {
        if (finished) {
            return;
        }
        HttpServerResponse response = request.response();
        if (last) {
            upstream = null; // the connection has gone back to its client, or closed
        }
        if (response.closed()) {
            finish(false);
            return;
        }
        if (last) {
            if (!response.ended()) {
                if (content.isReadable()) {
                    response.end(copy(content));
                } else {
                    response.end();
                }
            }
            finish(true);
            return;
        }
        if (!content.isReadable()) {
            return;
        }
        response.write(copy(content));
        if (response.writeQueueFull()) {
            UpstreamConnection reading = upstream;
            reading.pauseReading();
            response.drainHandler(v -> reading.resumeReading());
        }
    }

    /** The event loop's own heap buffer, as Vert.x's client handed bodies on: the decoder's buffer is reused. */
    private static Buffer copy(ByteBuf content) {
        return Buffer.buffer(VertxByteBufAllocator.DEFAULT.heapBuffer(content.readableBytes()).writeBytes(content));
    }

    @Override
    public void onFailure(Throwable cause) {
        upstream = null;
        if (finished) {
            return;
        }
        if (answered) {
            // part of the answer was relayed: only closing the client's stream tells it the rest is missing
            request.response().reset();
            finish(false);
            return;
        }
        if (cause instanceof TimeoutException) {
            timedOut();
            return;
        }
        Instance failed = instance;
        if (reused && !reconnected && !hasBody() && idempotent()) {
            // A kept-alive connection the instance closed as the request went out (its idle timeout):
            // the instance did nothing wrong, and a fresh connection to it tries once more.
            reconnected = true;
            forward(failed);
            return;
        }
        int consecutive = failed.recordConnectFailure();
        proxy.outliers().afterFailure(pool, failed, consecutive, "reset");
        // No byte of an answer came: a replayable request goes elsewhere, as after a connect failure.
        if (mayRetry()) {
            releaseSlot();
            retry(failed);
            return;
        }
        fail(502, GatewayProblems.UPSTREAM_FAILED, failed.address() + " failed before answering: "
                + cause.getMessage(), null);
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
        fail(504, GatewayProblems.UPSTREAM_TIMEOUT, slow.address() + " did not answer within "
                + route.requestTimeout().toMillis() + " ms", null);
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
        if (!completed) {
            dropUpstream();
        }
    }

    /** Closes the upstream connection mid-exchange: nothing more of it is wanted. */
    private void dropUpstream() {
        if (upstream != null) {
            UpstreamConnection dropped = upstream;
            upstream = null;
            dropped.abort();
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
