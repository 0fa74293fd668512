package dev.fleet.platform.notify;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Operator's view of a service's NOTIFY plumbing. {@code GET} shows the listener's state;
 * {@code POST} sends a notification on a Fleet channel through PostgreSQL, which checks the path
 * end to end and makes every listening service react (an {@code {"overflow": 1}} payload makes
 * them all catch up, e.g. after state was repaired by hand).
 */
@Path("/admin/notifications")
@RolesAllowed(FleetRole.ADMIN)
public class NotificationResource {

    private final PgNotificationHub hub;
    private final Pool pool;
    private final NotifyConfig config;

    NotificationResource(PgNotificationHub hub, Pool pool, NotifyConfig config) {
        this.hub = hub;
        this.pool = pool;
        this.config = config;
    }

    @GET
    public ListenerStatus listenerStatus() {
        return hub.status();
    }

    @POST
    public Uni<Response> publishNotification(@Valid @NotNull PublishNotificationRequest request) {
        if (!Channel.ALL.contains(request.channel())) {
            throw ProblemException.invalidField("channel",
                    "Unknown channel '" + request.channel() + "'; Fleet's channels are " + Channel.ALL + ".");
        }
        JsonObject payload = new JsonObject(request.payload());
        int bytes = payload.encode().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxPayloadBytes()) {
            throw ProblemException.tooLarge("payload", config.maxPayloadBytes(),
                    "The payload is " + bytes + " bytes; a notification carries at most "
                            + config.maxPayloadBytes() + ".");
        }
        TransactionNotifications notifications = new TransactionNotifications(config.maxPayloadBytes())
                .add(request.channel(), payload);
        return pool.withTransaction(notifications::sendWith)
                .replaceWith(Response.accepted(Map.of("channel", request.channel(), "bytes", bytes)).build());
    }
}
