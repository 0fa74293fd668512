package dev.fleet.platform.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the edge refuses in a path or query before any endpoint reads it (clients cannot send some of it). */
class RequestTextTest {

    @Test
    void pathsOfOrdinaryNamesAndIdsPass() {
        assertThat(RequestText.pathProblem("/queues/default/jobs/42", 256)).isEmpty();
        assertThat(RequestText.pathProblem("/pools/%F0%9F%98%80-%E2%82%AC", 256)).as("valid UTF-8").isEmpty();
        assertThat(RequestText.pathProblem("/sessions/" + "a".repeat(256), 256)).isEmpty();
    }

    @Test
    void controlCharactersBrokenEscapesInvalidUtf8AndLongSegmentsAreRefused() {
        assertThat(RequestText.pathProblem("/pools/%00", 256)).hasValueSatisfying(
                why -> assertThat(why).isEqualTo("Path segment 2 holds the control character U+0000; names and ids may not."));
        assertThat(RequestText.pathProblem("/pools/a%7Fb", 256)).hasValueSatisfying(why -> assertThat(why).contains("U+007F"));
        assertThat(RequestText.pathProblem("/pools/%zz", 256)).hasValueSatisfying(why -> assertThat(why).contains("two hex digits"));
        assertThat(RequestText.pathProblem("/pools/ab%4", 256)).hasValueSatisfying(why -> assertThat(why).contains("two hex digits"));
        assertThat(RequestText.pathProblem("/pools/%C0%AF", 256)).as("overlong").hasValueSatisfying(
                why -> assertThat(why).contains("not valid UTF-8"));
        assertThat(RequestText.pathProblem("/pools/" + "%E2%82%AC".repeat(257), 256)).hasValueSatisfying(
                why -> assertThat(why).contains("257 characters long"));
    }

    @Test
    void queryValuesAreDecodedWithPlusAsSpaceAndCheckedTheSameWay() {
        assertThat(RequestText.queryProblem("since=2025-01-01T00:00:00Z&state=a+b&flag")).isEmpty();
        assertThat(RequestText.queryProblem("a=1&b=%0D%0AX-Injected:%201")).hasValueSatisfying(
                why -> assertThat(why).isEqualTo("Query parameter 'b' holds the control character U+000D."));
        assertThat(RequestText.queryProblem("c=%FF")).hasValueSatisfying(why -> assertThat(why).contains("'c'"));
    }
}
