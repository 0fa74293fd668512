package dev.fleet.gateway.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleet.platform.process.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile.TestResourceEntry;

/**
 * Another Fleet service for the gateway to talk to: its packaged jar as a process, with the test
 * profile, on the same test database. Init args: {@code module} (e.g. session-service) and
 * {@code property}, the gateway key that gets its URL. Tests may kill and restart it ({@link #of}).
 */
public class SiblingServiceResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<String, ServiceProcess> RUNNING = new ConcurrentHashMap<>();

    private String module;
    private String property;

    /** The running process of {@code module}. */
    public static ServiceProcess of(String module) {
        ServiceProcess process = RUNNING.get(module);
        if (process == null) {
            throw new IllegalStateException(module + " is not started by this test profile");
        }
        return process;
    }

    /** The entry a test profile lists to have {@code module} running, its URL in {@code property}. */
    public static TestResourceEntry entry(String module, String property) {
        return new TestResourceEntry(SiblingServiceResource.class,
                Map.of("module", module, "property", property));
    }

    @Override
    public void init(Map<String, String> args) {
        module = args.get("module");
        property = args.get("property");
    }

    @Override
    public Map<String, String> start() {
        try {
            RUNNING.put(module, ServiceProcess.ofModule(module).start());
        } catch (Exception e) {
            throw new IllegalStateException("could not start " + module, e);
        }
        return Map.of(property, RUNNING.get(module).url());
    }

    @Override
    public void stop() {
        ServiceProcess process = RUNNING.remove(module);
        try {
            if (process != null) {
                process.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
