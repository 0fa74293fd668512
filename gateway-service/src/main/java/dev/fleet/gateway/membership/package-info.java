/**
 * Which instances each pool has, and which runner holds a session.
 *
 * <p>Two sources fill a pool, each replacing only its own instances
 * ({@link dev.fleet.gateway.pool.Pool#replaceMembers}): {@link dev.fleet.gateway.membership.ConfiguredUpstreams}
 * (static upstreams, once at start) and {@link dev.fleet.gateway.membership.SessionServiceMembership}
 * (runners registered in session-service: a periodic snapshot for load figures, NOTIFY
 * {@code fleet_runner} as a hint for prompt joins and departures). session-service stays the
 * truth; the gateway keeps nothing of its own, and a read that fails leaves the last membership
 * in place rather than emptying pools whose runners are most likely still serving.
 *
 * <p>{@link dev.fleet.gateway.membership.SessionRunners} answers session routing's question
 * "which runner holds this session", cached briefly so the request path rarely waits for it.
 */
package dev.fleet.gateway.membership;
