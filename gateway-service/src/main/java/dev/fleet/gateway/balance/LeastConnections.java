package dev.fleet.gateway.balance;

import java.util.concurrent.ThreadLocalRandom;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Latency-aware dynamic weighted least-connections by power of two choices: two different
 * candidates drawn in proportion to their effective weight, and the one with fewer in-flight
 * requests per unit of weight wins (ties: the first draw). Idle, this spreads exactly by weight;
 * loaded, in-flight counts settle in proportion to weight.
 *
 * <p>An instance whose pick latency ({@link Instance#pickLatencyMs}: time per request in flight, an
 * EWMA that decays over time) is more than {@link #SLOW_RATIO} × the pool's fastest is slow: against
 * another it is judged by its expected wait, (in flight + 1) × pick latency, ÷ weight, so it takes a
 * request only when the faster one's queue would keep the client waiting longer. A 20 ms instance beside
 * 1 ms ones thus gets a request only when they each hold about 20, instead of whenever it is idle.
 * Expected waits less than {@link #SLOW_MARGIN_MS} apart count as alike too: scheduling noise, not
 * worth a client's wait. Pick latencies decay towards the fastest over time (see {@code Pool}), so a
 * slow instance is tried again now and then and regains its share once it is fast. Within the band
 * the comparison is the plain one: noise in latencies does not move traffic. Two random draws and two
 * binary searches: no lock, no scan.
 */
public final class LeastConnections implements Balancer {

    /** Pick latencies within this factor of the pool's fastest count as alike. */
    static final double SLOW_RATIO = 2.0;
    /** Expected waits within this many milliseconds of each other count as alike. */
    static final double SLOW_MARGIN_MS = 0.5;

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        int n = table.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            Instance only = table.get(0);
            return only == pick.avoid() ? null : only;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = table.indexAt(random.nextDouble());
        int b = table.indexAtExcluding(random.nextDouble(), a);
        Instance first = table.get(a);
        Instance second = table.get(b);
        if (first == pick.avoid()) {
            return second;
        }
        if (second == pick.avoid()) {
            return first;
        }
        int heldFirst = first.inFlight();
        int heldSecond = second.inFlight();
        double fastest = table.fastestLatencyMs();
        double slowFirst = slowness(first, fastest);
        double slowSecond = slowness(second, fastest);
        // expected waits in units of the fastest pick latency
        double waitFirst = (heldFirst + 1) * slowFirst;
        double waitSecond = (heldSecond + 1) * slowSecond;
        if (slowFirst == slowSecond || Math.abs(waitFirst - waitSecond) * fastest <= SLOW_MARGIN_MS) {
            // in-flight / weight, compared without dividing
            return heldSecond * table.weight(a) < heldFirst * table.weight(b) ? second : first;
        }
        return waitSecond * table.weight(a) < waitFirst * table.weight(b) ? second : first;
    }

    /** 1 for an instance within {@link #SLOW_RATIO} of the fastest (or unmeasured), else its pick latency's ratio to it. */
    static double slowness(Instance instance, double fastestLatencyMs) {
        double latency = instance.pickLatencyMs();
        if (fastestLatencyMs <= 0 || latency <= SLOW_RATIO * fastestLatencyMs) {
            return 1;
        }
        return latency / fastestLatencyMs;
    }
}
