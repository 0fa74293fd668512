package dev.fleet.gateway.health;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleet.gateway.config.GatewayConfig.HealthChecks;
import dev.fleet.gateway.pool.Address;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * Runs one check of one layer against one address, without blocking: a TCP connect, or a GET whose
 * answer {@link HealthVerdict} judges. Every check ends within its layer's timeout, whatever the
 * upstream does: a timer settles it as failed, and the late answer is dropped.
 */
final class HealthProbes {

    private static final String USER_AGENT = "fleet-gateway-health";

    private final Vertx vertx;
    private final HttpClient http;
    /** Vert.x 4 sets the connect timeout per client, so one TCP client per timeout in use (a handful). */
    private final Map<Long, NetClient> tcpByTimeout = new ConcurrentHashMap<>();

    HealthProbes(Vertx vertx) {
        this.vertx = vertx;
        // No keep-alive: each check proves a fresh connection works, and no idle sockets pile up per instance.
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(false)
                .setMaxPoolSize(64)
                .setShared(false));
    }

    Future<CheckResult> probe(HealthLayer layer, Address address, HealthChecks checks) {
        long timeoutMs = Math.max(1, layer.timeout(checks).toMillis());
        Promise<CheckResult> result = Promise.promise();
        long timer = vertx.setTimer(timeoutMs,
                id -> result.tryComplete(CheckResult.failed("no answer within " + timeoutMs + " ms")));
        Future<CheckResult> attempt = layer == HealthLayer.TCP
                ? connect(address, timeoutMs)
                : get(layer, address, layer.path(checks), timeoutMs);
        attempt.onComplete(done -> {
            vertx.cancelTimer(timer);
            result.tryComplete(done.succeeded() ? done.result() : CheckResult.failed(describe(done.cause())));
        });
        return result.future();
    }

    private Future<CheckResult> connect(Address address, long timeoutMs) {
        NetClient tcp = tcpByTimeout.computeIfAbsent(timeoutMs,
                ms -> vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, ms))));
        return tcp.connect(address.port(), address.host())
                .map(socket -> {
                    socket.close();
                    return CheckResult.passed("connected");
                });
    }

    private Future<CheckResult> get(HealthLayer layer, Address address, String path, long timeoutMs) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(address.host())
                .setPort(address.port())
                .setSsl(address.ssl())
                .setURI(path)
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .putHeader("User-Agent", USER_AGENT);
        return http.request(request)
                .compose(sent -> sent.send())
                .compose(response -> response.body()
                        .map(body -> HealthVerdict.judge(layer, response.statusCode(), body)));
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    void close() {
        http.close();
        tcpByTimeout.values().forEach(NetClient::close);
    }
}
