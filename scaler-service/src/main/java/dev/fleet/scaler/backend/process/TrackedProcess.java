package dev.fleet.scaler.backend.process;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A row of {@code scaler.processes}: a process the backend started for a pool. {@code pid} and
 * {@code processStart} (as the OS reported it at start) identify it together: a PID alone may by
 * now name an unrelated process.
 *
 * @param index the {@code {index}} it was started with (the lowest free one in its pool)
 */
public record TrackedProcess(long id, String pool, int index, long pid, int port, Instant processStart,
        List<String> command, String logPath, Instant startedAt) {

    /**
     * How far two readings of a process's start time may differ. Java derives it from the boot time
     * (which each JVM reads once, and which moves with clock adjustments) plus clock ticks, so a
     * restarted scaler may read a value a little off; a recycled PID would have to have wrapped
     * through every PID within this window.
     */
    static final Duration START_TOLERANCE = Duration.ofSeconds(2);

    public TrackedProcess {
        command = List.copyOf(command);
    }

    /** The live process this row stands for; empty when it has exited or its PID now names another process. */
    public Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().startInstant().map(this::sameStart).orElse(false));
    }

    boolean sameStart(Instant observed) {
        return Duration.between(processStart, observed).abs().compareTo(START_TOLERANCE) <= 0;
    }

    @Override
    public String toString() {
        return "pid " + pid + " :" + port;
    }
}
