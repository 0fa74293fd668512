package dev.fleet.gateway.health;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.fleet.gateway.membership.MembershipStatus;
import dev.fleet.gateway.membership.SessionServiceMembership;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.proxy.ProxyServer;

/**
 * The gateway's readiness: whether it can route. Up once the proxy listens and the membership is
 * known (configuration, plus one successful read of session-service when it is configured). After
 * that it stays up through outages of PostgreSQL and session-service: the proxy keeps serving the
 * last membership it read, which is what the data plane should do. The NOTIFY listener's state is
 * in the {@code notify} health group instead ({@code /q/health/group/notify}). Pools without a
 * usable instance do not make it unready: those requests get 503 with Retry-After, a better answer
 * than no gateway.
 */
@Readiness
@Singleton
public class RoutingReadinessCheck implements HealthCheck {

    private final ProxyServer proxy;
    private final SessionServiceMembership membership;
    private final Pools pools;

    RoutingReadinessCheck(ProxyServer proxy, SessionServiceMembership membership, Pools pools) {
        this.proxy = proxy;
        this.membership = membership;
        this.pools = pools;
    }

    @Override
    public HealthCheckResponse call() {
        MembershipStatus status = membership.status();
        boolean listening = proxy.port() > 0;
        boolean membershipKnown = !status.enabled() || status.lastReadAt() != null;
        int routable = 0;
        int usable = 0;
        for (Pool pool : pools.all()) {
            int size = pool.snapshot().size();
            usable += size;
            routable += size > 0 ? 1 : 0;
        }
        return HealthCheckResponse.named("proxy")
                .status(listening && membershipKnown)
                .withData("listening", listening)
                .withData("membership known", membershipKnown)
                .withData("session-service reachable", status.enabled() ? String.valueOf(status.reachable()) : "not used")
                .withData("pools with an instance", routable)
                .withData("instances in pick tables", usable)
                .build();
    }
}
