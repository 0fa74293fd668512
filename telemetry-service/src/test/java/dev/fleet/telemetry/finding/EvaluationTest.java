package dev.fleet.telemetry.finding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-kind cap: the worst findings are kept, the rest are left as they are (neither open nor resolve). */
class EvaluationTest {

    @Test
    void theCapKeepsTheWorstOfEachKindAndLeavesTheRestAsTheyAre() {
        Evaluation e = new Evaluation();
        e.found(finding("capacity", "runner-cpu", "a", "warning"));
        e.found(finding("capacity", "runner-cpu", "b", "emergency"));
        e.found(finding("capacity", "queue-depth", "c", "critical"));
        e.found(finding("bottleneck", "cpu-bound", "p", "warning"));

        e.cap(2);

        assertThat(e.found()).extracting(Finding::subject).containsExactly("b", "c", "p");
        assertThat(e.kept()).containsExactly(new Evaluation.Key("runner-cpu", "a"));
        assertThat(e.capped()).isEqualTo(1);
    }

    private static Finding finding(String kind, String name, String subject, String severity) {
        return new Finding(kind, name, subject, severity, 1, 1, "", null);
    }
}
