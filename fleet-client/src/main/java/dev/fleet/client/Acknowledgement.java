package dev.fleet.client;

/** How a completion or failure report ended. */
public enum Acknowledgement {
    /** queue-service recorded it. */
    ACKNOWLEDGED,
    /** The job was no longer held by this lease (expired, cancelled, rescued): the report was not recorded. */
    LEASE_LOST
}
