package dev.fleet.runner.job;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.fleet.client.ClaimedJob;

/** Which handler runs which job kind. A kind without a handler fails its job for good (no runner here can do it). */
public final class JobHandlers {

    private final Map<String, JobHandler> byKind = new TreeMap<>();

    /** The reference runner's demo handlers; {@code command} only when running commands was allowed. */
    public static JobHandlers builtIn(boolean allowCommands) {
        JobHandlers handlers = new JobHandlers()
                .with("noop", job -> null)
                .with("sleep", new SleepHandler())
                .with("cpu", new CpuBurnHandler());
        return allowCommands ? handlers.with("command", new CommandHandler()) : handlers;
    }

    public JobHandlers with(String kind, JobHandler handler) {
        byKind.put(kind, handler);
        return this;
    }

    public Set<String> kinds() {
        return byKind.keySet();
    }

    JobHandler forJob(ClaimedJob job) throws JobFailure {
        JobHandler handler = byKind.get(job.kind());
        if (handler == null) {
            throw new JobFailure("no handler for job kind '" + job.kind() + "' on this runner (it has " + kinds()
                    + ")", false);
        }
        return handler;
    }
}
