package dev.fleet.session.event;

/**
 * Who caused an event. {@code human} and {@code agent} events count as activity of that kind
 * (idle auto-pause and its resume read it); {@code system} events, the default, do not, so a
 * runner's own chatter never keeps a session awake.
 */
public enum EventSource {
    human, agent, system
}
