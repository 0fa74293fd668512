package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.client.ClaimAheadSizing;

class RunnerConfigTest {

    @Test
    void defaultsNeedOnlyAToken() {
        RunnerConfig config = RunnerConfig.parse(new String[] {"--token", "t"}, Map.of());
        assertThat(config.pool()).isEqualTo("default");
        assertThat(config.queue()).isEqualTo("default");
        assertThat(config.concurrency()).isEqualTo(4);
        assertThat(config.maxSessions()).isEqualTo(4);
        assertThat(config.port()).isEqualTo(9100);
        assertThat(config.queueUrl()).hasToString("http://127.0.0.1:8081");
        assertThat(config.grace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.allowCommands()).isFalse();
        assertThat(config.endpoint(9100)).isEqualTo("http://127.0.0.1:9100");
        // The buffer adapts by default: from the slots to 500, about 200 ms of work.
        assertThat(config.jobPath().claimAhead()).isEqualTo(new ClaimAheadSizing(4, 500, Duration.ofMillis(200)));
        assertThat(RunnerConfig.parse(new String[] {"--token", "t", "--claim-ahead", "7"}, Map.of()).jobPath().claimAhead())
                .isEqualTo(ClaimAheadSizing.fixed(7));
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        Map<String, String> env = Map.of("FLEET_RUNNER_POOL", "browser", "FLEET_RUNNER_CONCURRENCY", "8",
                "FLEET_RUNNER_TOKEN", "from-env", "FLEET_RUNNER_LABELS", "gpu=a10, zone=eu");
        RunnerConfig config = RunnerConfig.parse(new String[] {"--concurrency=2", "--grace", "1500ms",
                "--allow-commands", "--telemetry-url", "none"}, env);
        assertThat(config.pool()).isEqualTo("browser");
        assertThat(config.queue()).isEqualTo("browser");
        assertThat(config.concurrency()).isEqualTo(2);
        assertThat(config.token()).isEqualTo("from-env");
        assertThat(config.grace()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.labels()).containsEntry("gpu", "a10").containsEntry("zone", "eu");
        assertThat(config.allowCommands()).isTrue();
        assertThat(config.telemetryUrl()).isNull();
    }

    @Test
    void aPublishedPortIsAdvertisedInsteadOfTheOneListenedOn() {
        RunnerConfig config = RunnerConfig.parse(new String[] {"--token", "t", "--port", "9100"},
                Map.of("FLEET_RUNNER_ADVERTISE_HOST", "10.0.0.5", "FLEET_RUNNER_ADVERTISE_PORT", "9301"));
        assertThat(config.endpoint(9100)).isEqualTo("http://10.0.0.5:9301");
        assertRefused(new String[] {"--token", "t", "--advertise-port", "0"}, "--advertise-port must be a whole number from 1 to 65535");
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertRefused(new String[] {}, "--token (or FLEET_RUNNER_TOKEN) is required");
        assertRefused(new String[] {"--token", "t", "--concurrency", "0"}, "--concurrency must be a whole number from 1 to 256");
        assertRefused(new String[] {"--token", "t", "--grace", "soon"}, "--grace must be a duration like 500ms");
        assertRefused(new String[] {"--token", "t", "--claim-wait", "1m"}, "--claim-wait may be at most 30s");
        assertRefused(new String[] {"--token", "t", "--claim-ahead", "many"}, "--claim-ahead must be 'auto' or a whole number");
        assertRefused(new String[] {"--token", "t", "--claim-ahead", "1001"}, "--claim-ahead must be a whole number from 0 to 1000");
        assertRefused(new String[] {"--token", "t", "--claim-ahead-horizon", "1m"}, "--claim-ahead-horizon may be at most 10s");
        assertRefused(new String[] {"--token", "t", "--queue-url", "ftp://x"}, "--queue-url must be an http(s) URL");
        assertRefused(new String[] {"--token", "t", "--pool", "no spaces"}, "--pool must be 1–100 letters");
        assertRefused(new String[] {"--token", "t", "--labels", "novalue"}, "--labels must look like k=v,k=v");
        assertRefused(new String[] {"--token", "t", "--http-sample-rate", "2"}, "--http-sample-rate must be a number from 0 to 1");
        assertRefused(new String[] {"--token", "t", "--colour", "red"}, "unknown option --colour");
        assertRefused(new String[] {"--token"}, "--token needs a value");
        assertRefused(new String[] {"stray"}, "unexpected argument 'stray'");
    }

    @Test
    void usageListsEveryOptionWithItsVariable() {
        String usage = RunnerConfig.usage();
        for (RunnerConfig.Option option : RunnerConfig.OPTIONS) {
            assertThat(usage).contains("--" + option.flag()).contains(option.env());
        }
    }

    private static void assertRefused(String[] args, String message) {
        assertThatThrownBy(() -> RunnerConfig.parse(args, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
