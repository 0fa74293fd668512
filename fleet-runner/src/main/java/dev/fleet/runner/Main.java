package dev.fleet.runner;

import java.net.BindException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.fleet.client.FleetApiException;
import dev.fleet.client.ServiceUnreachableException;
import dev.fleet.runner.job.JobHandlers;
import sun.misc.Signal;

/**
 * {@code java -jar fleet-runner.jar [--option value ...]}. Exit status: 0 after a graceful stop,
 * 1 when it cannot start (a service unreachable after the startup timeout, a refused token, a
 * taken port), 2 for bad options, 128 + signal when a second signal cut the drain short.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        List<String> arguments = Arrays.asList(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.print(RunnerConfig.usage());
            return;
        }
        RunnerConfig config;
        try {
            config = RunnerConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("fleet-runner: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        Runner runner = new Runner(config, JobHandlers.builtIn(config.allowCommands()));
        try {
            runner.start();
        } catch (Exception e) {
            boolean expected = e instanceof ServiceUnreachableException || e instanceof FleetApiException
                    || e.getCause() instanceof BindException;
            System.err.println("fleet-runner: cannot start: " + (expected ? e.getMessage() : e));
            runner.close();
            System.exit(1);
        }
        onSignals(runner);
        System.out.printf("fleet-runner %s ready: pool %s, queue %s, %d job slots, http://%s:%d%n",
                runner.identity().id(), config.pool(), config.queue(), config.concurrency(), config.bind(),
                runner.port());
        runner.awaitStopped();
        System.exit(0);
    }

    /** First SIGTERM/SIGINT drains; a second one ends the process at once. */
    private static void onSignals(Runner runner) {
        AtomicInteger received = new AtomicInteger();
        sun.misc.SignalHandler handler = signal -> {
            if (received.incrementAndGet() == 1) {
                System.err.println("fleet-runner: " + signal.getName() + ": draining (send it again to stop at once)");
                Thread.ofPlatform().name("fleet-shutdown").start(() -> {
                    try {
                        runner.shutdown();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } else {
                System.err.println("fleet-runner: second " + signal.getName() + ": exiting now");
                Runtime.getRuntime().halt(128 + signal.getNumber());
            }
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }
}
