package dev.fleet.telemetry.finding;

import java.util.List;
import java.util.function.Predicate;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.input.InputReadings;

/**
 * The bottleneck signatures (kind {@code bottleneck}), judged per pool: a signature opens when two or
 * more of its indicators hold at the same evaluation. Its value is how many held, its threshold the 2
 * needed, its detail which ones ("2 of 3: cpu, response-time"). Indicators use this evaluation's
 * figures, not a hold: requiring two of them at once already rules out a lone spike, and a signature
 * should name the cause while the capacity findings still wait out their holds.
 * <p>
 * A signature with an indicator whose input was not read is judged on the others, but none of its
 * open findings resolves (the missing indicator may be what holds).
 */
@Singleton
class BottleneckSignatures {

    enum Input { SAMPLES, RUNNERS, QUEUES }

    record Indicator(String name, Input input, Predicate<PoolFigures> holds) {
    }

    /**
     * @param severity    with two indicators holding
     * @param severityAll when all of three or more hold
     */
    record Signature(String name, String severity, String severityAll, String remediation, List<Indicator> indicators) {

        boolean reads(Input input) {
            return indicators.stream().anyMatch(i -> i.input() == input);
        }
    }

    private final List<Signature> signatures;

    BottleneckSignatures(FindingsConfig config) {
        FindingsConfig.Signatures s = config.signatures();
        double cpuHigh = config.runnerCpuPercent().warning();
        Indicator queueDepth = new Indicator("queue-depth", Input.QUEUES,
                p -> p.queueAvailable() >= config.queueDepth().warning());
        Indicator queueGrowing = new Indicator("queue-growing", Input.QUEUES, PoolFigures::queueGrew);
        Indicator slotsBusy = new Indicator("slots-busy", Input.RUNNERS, p -> p.slotsBusy() >= s.slotsBusyShare());
        Indicator jobWait = new Indicator("job-wait", Input.SAMPLES, p -> p.jobWaitMs() >= s.jobWaitMs());
        Indicator cpu = new Indicator("cpu", Input.RUNNERS, p -> p.cpuPercent() >= cpuHigh);
        Indicator cpuLow = new Indicator("cpu-low", Input.RUNNERS, p -> p.cpuPercent() < s.lowCpuPercent());
        Indicator slow = new Indicator("response-time", Input.RUNNERS, p -> p.responseMs() >= s.responseTimeMs());
        Indicator memory = new Indicator("memory", Input.RUNNERS,
                p -> p.memoryPercent() >= config.runnerMemoryPercent().warning());
        Indicator errors = new Indicator("error-rate", Input.SAMPLES, p -> p.errorRate() >= config.errorRate().warning());
        Indicator unhealthy = new Indicator("runners-unhealthy", Input.RUNNERS, p -> p.healthyShare() < 1);
        Indicator healthyLow = new Indicator("healthy-share", Input.RUNNERS,
                p -> p.healthyShare() < config.healthyShare().warning());
        signatures = List.of(
                new Signature("under-provisioned", "critical", "emergency", "The pool has too few runners for its"
                        + " queue: raise its max instances in scaler-service (or check why the scaler does not add"
                        + " runners: scaler-service GET /pools/{pool}/events).", List.of(queueDepth, slotsBusy, jobWait)),
                new Signature("cpu-bound", "warning", "critical", "The runners are short of CPU: give them more"
                        + " CPU, lower maxSessions, or scale out on CPU; profile the job kinds that use it.",
                        List.of(cpu, slow, queueGrowing)),
                new Signature("memory-pressure", "critical", "emergency", "The runners are short of memory:"
                        + " give them more, lower maxSessions, and drain and restart runners whose memory only grows.",
                        List.of(memory, errors, unhealthy)),
                new Signature("io-bound", "warning", "warning", "Responses are slow while CPU idles: the runners"
                        + " wait on something (database, network, an external API); check those upstreams and their"
                        + " timeouts, more runners will not help.", List.of(slow, cpuLow)),
                new Signature("unhealthy-fleet", "critical", "critical", "Runners fail and drop out together:"
                        + " drain and replace the unhealthy ones, read their logs and the failing samples; suspect a"
                        + " bad release or a shared dependency.", List.of(healthyLow, errors)));
    }

    List<Signature> signatures() {
        return signatures;
    }

    void judge(List<PoolFigures> pools, InputReadings read, Evaluation out) {
        for (Signature signature : signatures) {
            boolean blind = !read.runnersRead() || (!read.queuesRead() && signature.reads(Input.QUEUES));
            if (blind) {
                out.unread(signature.name());
            }
            for (PoolFigures pool : pools) {
                List<String> held = signature.indicators().stream().filter(i -> i.holds().test(pool))
                        .map(Indicator::name).toList();
                if (held.size() >= 2) {
                    int of = signature.indicators().size();
                    String severity = held.size() == of && of >= 3 ? signature.severityAll() : signature.severity();
                    out.found(new Finding(Finding.BOTTLENECK, signature.name(), pool.pool(), severity, held.size(), 2,
                            signature.remediation(), held.size() + " of " + of + ": " + String.join(", ", held)));
                }
            }
        }
    }
}
