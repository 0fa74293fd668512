package dev.fleet.scaler.engine;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Only one scaler replica acts: the one holding a PostgreSQL session-level advisory lock on a
 * connection of its own. The lock lives as long as that connection, so when the leader dies (or
 * its connection does) PostgreSQL frees it at once and the next replica to try takes over within
 * {@code fleet.scaler.leader-check-interval}. The others keep trying; everything they serve
 * (API, reads) works the same, they just do not evaluate or call backends.
 */
@Singleton
public class LeaderElection {

    static final String LOCK = "fleet-scaler-leader";
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private volatile PgConnection connection;
    private volatile boolean leader;
    private volatile boolean stopped;

    LeaderElection(Vertx vertx, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setTcpKeepAlive(true).addProperty("application_name", "scaler-service leader");
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        meters.gauge("fleet.scaler.leader", this, election -> election.isLeader() ? 1 : 0);
    }

    public boolean isLeader() {
        return leader && connection != null;
    }

    @Scheduled(every = "${fleet.scaler.leader-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        check();
    }

    /** Tries to become (or checks it still is) the leader; blocking, for a worker thread. */
    public boolean check() {
        if (stopped) {
            return false;
        }
        try {
            PgConnection current = connection;
            if (current == null) {
                current = await(PgConnection.connect(vertx, options).toCompletionStage().toCompletableFuture());
                PgConnection opened = current;
                opened.closeHandler(closed -> lost(opened));
                connection = current;
            }
            String sql = leader ? "SELECT true AS held" : "SELECT pg_try_advisory_lock(hashtext($1)) AS held";
            boolean held = await(current.preparedQuery(sql).execute(leader ? Tuple.tuple() : Tuple.of(LOCK))
                    .toCompletionStage().toCompletableFuture()).iterator().next().getBoolean("held");
            if (held && !leader) {
                LOG.info("this replica is now the scaler leader");
            }
            leader = held;
        } catch (Exception e) {
            LOG.warnf("leader check failed (%s); not leading until it works again", e.getMessage());
            PgConnection broken = connection;
            connection = null;
            leader = false;
            if (broken != null) {
                broken.close();
            }
        }
        return isLeader();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        leader = false;
        PgConnection current = connection;
        if (current != null) {
            current.close(); // frees the lock for the next replica now, not after a timeout
        }
    }

    /** Takes part again after {@link #stop} (tests that hand leadership over and back). */
    void restart() {
        stopped = false;
    }

    private void lost(PgConnection closed) {
        if (connection == closed) {
            if (leader && !stopped) {
                LOG.warn("lost the leader connection; another replica may take over");
            }
            connection = null;
            leader = false;
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }
}
