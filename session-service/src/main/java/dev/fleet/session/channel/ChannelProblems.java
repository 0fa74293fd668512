package dev.fleet.session.channel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.fleet.platform.problem.Problem;
import dev.fleet.platform.problem.ProblemException;

/**
 * The errors of the runner channel, as the same RFC 9457 bodies the REST endpoints answer, so a
 * runner handles a refused report the same way on either path. An unexpected failure is logged
 * with a reference and answered 500, as {@code ProblemMapper} does for HTTP.
 */
final class ChannelProblems {

    private static final Logger LOG = Logger.getLogger(ChannelProblems.class);

    private ChannelProblems() {
    }

    static ProblemException malformed(String field, String detail) {
        ProblemException problem = new ProblemException(400, "malformed-json", "Malformed JSON", detail);
        return field == null ? problem : problem.with("field", field);
    }

    static ProblemException unknownType(String type) {
        return new ProblemException(400, "unknown-message", "Unknown message", "Unknown message type " + type
                + "; a runner sends ack, progress, complete, fail or heartbeat.").with("field", "type");
    }

    static ProblemException tooLarge(int limit) {
        return new ProblemException(413, "too-large", "Content too large", "A channel message may have at most " + limit
                + " bytes (fleet.session.channel.max-message-bytes).").with("limit", limit);
    }

    static Map<String, Object> body(Throwable failure, UUID runner) {
        if (failure instanceof ProblemException e) {
            Map<String, Object> body = new LinkedHashMap<>(Problem.body(e.status(), e.type(), e.title(), e.getMessage(),
                    null, e.extensions()));
            if (e.retryAfter() != null) {
                body.put("retryAfterMs", e.retryAfter().toMillis());
            }
            return body;
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(failure, "Unexpected error %s on the channel of runner %s", reference, runner);
        return Problem.body(500, "internal", "Internal server error", "An unexpected error occurred; quote reference "
                + reference + " when reporting it.", null, Map.of("reference", reference));
    }
}
