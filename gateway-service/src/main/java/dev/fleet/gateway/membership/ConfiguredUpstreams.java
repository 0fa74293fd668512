package dev.fleet.gateway.membership;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import io.quarkus.runtime.StartupEvent;

/**
 * Puts the upstreams declared in {@code fleet.gateway.pools.<p>.upstreams} into their pools at
 * start, as source {@code config}, beside whatever session-service contributes. A malformed
 * entry fails the start: a gateway that quietly routes around a typo is worse than one that does
 * not start.
 */
@Singleton
public class ConfiguredUpstreams {

    public static final String SOURCE = "config";

    private static final Logger LOG = Logger.getLogger(ConfiguredUpstreams.class);

    private final GatewayConfig config;
    private final Pools pools;

    ConfiguredUpstreams(GatewayConfig config, Pools pools) {
        this.config = config;
        this.pools = pools;
    }

    void start(@Observes StartupEvent event) {
        long now = System.nanoTime();
        // @WithDefaults: get() of any name answers; keySet() holds only the configured ones.
        for (String pool : config.pools().keySet()) {
            List<String> entries = config.pools().get(pool).upstreams().orElse(List.of());
            if (!entries.isEmpty()) {
                List<Instance> instances = instancesOf(pool, entries, now);
                pools.pool(pool).replaceMembers(SOURCE, instances, now);
                LOG.infof("Pool %s: %d upstream(s) from configuration", pool, instances.size());
            }
        }
    }

    /** The instances of one pool's entries; an {@link IllegalStateException} naming the key for a bad one. */
    static List<Instance> instancesOf(String pool, List<String> entries, long nowNanos) {
        List<Instance> instances = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String text : entries) {
            UpstreamEntry entry;
            try {
                entry = UpstreamEntry.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(key(pool) + ": " + e.getMessage(), e);
            }
            if (!seen.add(entry.id())) {
                throw new IllegalStateException(key(pool) + ": " + entry.id() + " is listed twice");
            }
            instances.add(new Instance(entry.id(), pool, entry.address(), SOURCE,
                    ReportedLoad.ofCapacity(entry.weight()), nowNanos));
        }
        return instances;
    }

    private static String key(String pool) {
        return "fleet.gateway.pools." + pool + ".upstreams";
    }
}
