package dev.fleet.gateway.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.ThreadingModel;

/**
 * The proxy listener ({@code fleet.gateway.listener.port}), separate from the admin and metrics port
 * so that no client path can reach {@code /admin} or {@code /q}, and routes own the whole path
 * space. One {@link ProxyVerticle} per event loop, all on the same port (0: any free one).
 */
@Singleton
public class ProxyServer {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class);

    private static final int SHARED_RANDOM_PORT = -8000;

    private final ProxyHandler handler;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final List<String> deployments = new ArrayList<>();
    private volatile int port;

    ProxyServer(ProxyHandler handler, GatewayConfig config, Vertx vertx) {
        this.handler = handler;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) throws Exception {
        int loops = config.listener().eventLoops().orElse(2 * Runtime.getRuntime().availableProcessors());
        // Servers of one Vert.x on the same port share it; for "any free port" Vert.x shares a random
        // port between servers that ask for the same negative one (Quarkus's own uses -1 in tests).
        int requested = config.listener().port() == 0 ? SHARED_RANDOM_PORT : config.listener().port();
        ProxyVerticle first = new ProxyVerticle(handler, config.listener(), requested);
        deploy(first);
        port = first.actualPort();
        for (int i = 1; i < loops; i++) {
            deploy(new ProxyVerticle(handler, config.listener(), requested));
        }
        LOG.infof("Proxy listening on %s:%d (%d event loops, %d routes)", config.listener().host(), port, loops,
                handler.routeCount());
    }

    private void deploy(ProxyVerticle verticle) throws Exception {
        String id = vertx.deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        deployments.add(id);
    }

    void stop(@Observes ShutdownEvent event) {
        for (String id : deployments) {
            vertx.undeploy(id);
        }
    }

    /** The port the proxy listens on (the configured one, or the one it got for 0). */
    public int port() {
        return port;
    }
}
