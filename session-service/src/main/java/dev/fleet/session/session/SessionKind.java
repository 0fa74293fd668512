package dev.fleet.session.session;

/** Who drives a session: a person at the controls, or an agent. */
public enum SessionKind {
    human, agent
}
