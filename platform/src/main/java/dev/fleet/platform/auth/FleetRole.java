package dev.fleet.platform.auth;

/**
 * The three roles a bearer token can carry. Endpoints name the roles they accept with
 * {@code @RolesAllowed}; an endpoint that names none accepts any valid token
 * ({@code quarkus.security.jaxrs.default-roles-allowed}).
 */
public final class FleetRole {

    /** Operators: configuration, replays, overrides. */
    public static final String ADMIN = "admin";
    /** Runner processes: register, heartbeat, claim and finish their own work. */
    public static final String RUNNER = "runner";
    /** Users of the fleet: enqueue work, open sessions, read state. */
    public static final String CLIENT = "client";

    private FleetRole() {
    }
}
