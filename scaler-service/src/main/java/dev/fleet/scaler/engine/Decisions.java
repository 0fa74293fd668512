package dev.fleet.scaler.engine;

import java.util.Map;

import dev.fleet.scaler.event.ScalingEvent;
import dev.fleet.scaler.policy.Decision;

/** A recorded event back in the evaluator's terms, for cooldowns and rate limits. */
final class Decisions {

    private Decisions() {
    }

    static Decision fromEvent(ScalingEvent e) {
        Decision.Kind kind = switch (e.kind()) {
            case "scale-out" -> Decision.Kind.SCALE_OUT;
            case "scale-in" -> Decision.Kind.SCALE_IN;
            case "replace-all" -> Decision.Kind.REPLACE_ALL;
            default -> Decision.Kind.NONE;
        };
        return new Decision(e.pool(), e.at(), e.from(), e.to(), kind, e.rule(), e.recommended(), Map.of(), e.reason(),
                e.emergency(), e.alert(), e.dryRun());
    }
}
