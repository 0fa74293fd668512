package dev.fleet.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.buffer.Buffer;

class HealthVerdictTest {

    private static boolean passes(HealthLayer layer, int status, String body) {
        return HealthVerdict.judge(layer, status, Buffer.buffer(body)).passed();
    }

    @Test
    void httpLayerPassesAnyAnswerBelow500() {
        assertThat(passes(HealthLayer.HTTP, 200, "")).isTrue();
        assertThat(passes(HealthLayer.HTTP, 404, "")).isTrue();
        assertThat(passes(HealthLayer.HTTP, 499, "")).isTrue();
        assertThat(passes(HealthLayer.HTTP, 500, "")).isFalse();
        assertThat(passes(HealthLayer.HTTP, 503, "")).isFalse();
    }

    @Test
    void deepLayerNeeds2xx() {
        assertThat(passes(HealthLayer.DEEP, 204, "")).isTrue();
        assertThat(passes(HealthLayer.DEEP, 301, "")).isFalse();
        assertThat(passes(HealthLayer.DEEP, 404, "")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"status\":\"UP\"}", "{\"status\":\"ok\"}", "{\"status\":\"Healthy\",\"load\":3}",
            "{\"load\":3}", "not json at all", "[1,2]", "" })
    void appLayerPasses200WithAHealthyOrNoStatus(String body) {
        assertThat(passes(HealthLayer.APP, 200, body)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"status\":\"DOWN\"}", "{\"status\":\"degraded\"}", "{\"status\":null}", "{\"status\":1}" })
    void appLayerFails200WithAnotherStatus(String body) {
        assertThat(passes(HealthLayer.APP, 200, body)).isFalse();
    }

    @Test
    void appLayerNeedsExactly200() {
        assertThat(passes(HealthLayer.APP, 204, "")).isFalse();
        assertThat(passes(HealthLayer.APP, 503, "{\"status\":\"UP\"}")).isFalse();
    }

    @Test
    void failedAppStatusIsNamedInTheDetail() {
        assertThat(HealthVerdict.judge(HealthLayer.APP, 200, Buffer.buffer("{\"status\":\"DOWN\"}")).detail())
                .contains("DOWN");
    }
}
