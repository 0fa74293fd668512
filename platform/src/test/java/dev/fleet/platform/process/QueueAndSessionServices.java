package dev.fleet.platform.process;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real queue-service and session-service (their packaged jars, as processes with the test
 * profile) for a module whose service reads them over REST. A subclass says which of its config
 * keys point at them, and may give session-service settings of its own.
 */
public abstract class QueueAndSessionServices implements QuarkusTestResourceLifecycleManager {

    private ServiceProcess queue;
    private ServiceProcess session;

    /** The config that points the service under test at {@code queue} and {@code session}. */
    protected abstract Map<String, String> config(ServiceProcess queue, ServiceProcess session);

    /** System properties for session-service, e.g. {@code -Dfleet.session.runners.overload-cpu-percent=101}. */
    protected String[] sessionSettings() {
        return new String[0];
    }

    @Override
    public Map<String, String> start() {
        try {
            queue = ServiceProcess.ofModule("queue-service").start();
            session = ServiceProcess.ofModule("session-service", sessionSettings()).start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start queue-service and session-service", e);
        }
        return config(queue, session);
    }

    @Override
    public void stop() {
        try {
            if (session != null) {
                session.close();
            }
            if (queue != null) {
                queue.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
