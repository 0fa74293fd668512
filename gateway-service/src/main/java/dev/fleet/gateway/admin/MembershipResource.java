package dev.fleet.gateway.admin;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import dev.fleet.gateway.membership.MembershipStatus;
import dev.fleet.gateway.membership.SessionServiceMembership;

/** {@code GET /admin/membership}: whether the gateway can read its runners from session-service. */
@Path("/admin/membership")
public class MembershipResource {

    private final SessionServiceMembership membership;

    MembershipResource(SessionServiceMembership membership) {
        this.membership = membership;
    }

    @GET
    public MembershipStatus status() {
        return membership.status();
    }
}
