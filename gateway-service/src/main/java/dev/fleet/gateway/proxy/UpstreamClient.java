package dev.fleet.gateway.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import dev.fleet.gateway.pool.Address;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.impl.VertxInternal;

/**
 * One event loop's HTTP/1.1 client to the upstreams, written on Netty directly: keep-alive
 * connections per address (the most recently used first), each carrying one exchange at a time on
 * the loop that owns it. Request heads are encoded straight into the connection's buffer and
 * responses are relayed as they are read; Vert.x's client copied every header into a second map
 * and took a pooled-connection lease, a timer and several futures per request. One periodic sweep
 * per loop ends exchanges past their deadlines and closes idle connections, instead of a timer per
 * request. Every method runs on the loop.
 */
final class UpstreamClient {

    /** How often the sweep looks at deadlines: the resolution of request and idle timeouts. */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long keepAliveNanos;
    private final Map<Address, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private final List<UpstreamConnection> open = new ArrayList<>();
    private final ScheduledFuture<?> sweep;
    private SslContext ssl;

    UpstreamClient(VertxInternal vertx, EventLoop loop, Duration keepAlive) {
        this.loop = loop;
        this.keepAliveNanos = keepAlive.toNanos();
        this.bootstrap = new Bootstrap().group(loop)
                .channelFactory(vertx.transport().channelFactory(false))
                .resolver(vertx.nettyAddressResolverGroup())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        this.sweep = loop.scheduleAtFixedRate(this::sweep, SWEEP_NANOS, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * Hands {@code then} an open connection to {@code address}: an idle one at once, or a new one
     * once connected (or the reason it could not be).
     */
    void acquire(Address address, Duration connectTimeout, BiConsumer<UpstreamConnection, Throwable> then) {
        assert loop.inEventLoop() : "an upstream client is used on its own event loop only";
        ArrayDeque<UpstreamConnection> ready = idle.get(address);
        while (ready != null && !ready.isEmpty()) {
            UpstreamConnection connection = ready.pollLast();
            if (connection.isOpen()) {
                then.accept(connection, null);
                return;
            }
        }
        connect(address, connectTimeout, then);
    }

    private void connect(Address address, Duration connectTimeout, BiConsumer<UpstreamConnection, Throwable> then) {
        UpstreamConnection connection = new UpstreamConnection(this, address);
        SslContext context;
        try {
            context = address.ssl() ? sslContext() : null;
        } catch (SSLException e) {
            then.accept(null, e);
            return;
        }
        ChannelFuture connecting = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.clamp(connectTimeout.toMillis(), 1, Integer.MAX_VALUE))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (context != null) {
                            channel.pipeline().addLast(tls(context, channel, address));
                        }
                        channel.pipeline().addLast(connection);
                    }
                })
                .connect(InetSocketAddress.createUnresolved(address.host(), address.port()));
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                open.add(connection);
                then.accept(connection, null);
            } else {
                then.accept(null, done.cause());
            }
        });
    }

    private static SslHandler tls(SslContext context, Channel channel, Address address) {
        SslHandler handler = context.newHandler(channel.alloc(), address.host(), address.port());
        SSLParameters parameters = handler.engine().getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        handler.engine().setSSLParameters(parameters);
        return handler;
    }

    private SslContext sslContext() throws SSLException {
        if (ssl == null) {
            ssl = SslContextBuilder.forClient().build();
        }
        return ssl;
    }

    /** A connection whose exchange ended cleanly waits here for the next one. */
    void recycle(UpstreamConnection connection) {
        idle.computeIfAbsent(connection.address(), a -> new ArrayDeque<>()).addLast(connection);
    }

    /** A connection closed: forget it (an idle one is skipped when it is next polled). */
    void closed(UpstreamConnection connection) {
        open.remove(connection);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).checkDeadlines(now, keepAliveNanos);
        }
        idle.values().removeIf(connections -> {
            connections.removeIf(connection -> !connection.isOpen());
            return connections.isEmpty();
        });
    }

    /** Stops the sweep and closes every connection. */
    void close() {
        sweep.cancel(false);
        for (UpstreamConnection connection : List.copyOf(open)) {
            connection.abort();
        }
    }
}
