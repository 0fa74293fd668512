package dev.fleet.session.operation;

import java.util.List;

/**
 * Operations handed to runners by a transaction that has just committed, fired on the replica that
 * ran it: that replica's own runner channels push them at once instead of waiting for their
 * {@code fleet_session} notification to come back from PostgreSQL and re-reading them.
 */
public record OperationsCommitted(List<OperationView> operations) {
}
