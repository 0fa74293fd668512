package dev.fleet.gateway.proxy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The proxy listener ({@code fleet.gateway.listener.port}), apart from the admin and metrics port
 * so that no client path can reach {@code /admin} or {@code /q} and routes own the whole path space.
 * It runs on a Vert.x of its own with one event loop per {@link ProxyVerticle}: each loop carries
 * its share of connections (Quarkus's shared Vert.x put all verticles on one loop), and Quarkus's
 * per-URI HTTP server metrics stay off the proxied traffic (the gateway counts it per pool itself).
 */
@Singleton
public class ProxyServer {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    private final ProxyHandler handler;
    private final GatewayConfig config;
    private Vertx vertx;
    private volatile int port;

    ProxyServer(ProxyHandler handler, GatewayConfig config) {
        this.handler = handler;
        this.config = config;
    }

    void start(@Observes StartupEvent event) throws Exception {
        int loops = config.listener().eventLoops().orElse(2 * Runtime.getRuntime().availableProcessors());
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));
        // The verticles' servers share the port; for "any free port" Vert.x shares one random port
        // between servers asking for the same negative number.
        int requested = config.listener().port() == 0 ? -1 : config.listener().port();
        List<ProxyVerticle> verticles = new CopyOnWriteArrayList<>();
        vertx.deployVerticle(() -> {
            ProxyVerticle verticle = new ProxyVerticle(handler, config.listener(), requested);
            verticles.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = verticles.getFirst().actualPort();
        LOG.infof("Proxy listening on %s:%d (%d event loops, %s transport, %d routes)", config.listener().host(), port,
                loops, vertx.isNativeTransportEnabled() ? "epoll" : "NIO", handler.routeCount());
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The port the proxy listens on (the configured one, or the one it got for 0). */
    public int port() {
        return port;
    }
}
