package dev.fleet.scaler;

import java.util.Map;

import dev.fleet.platform.process.QueueAndSessionServices;
import dev.fleet.platform.process.ServiceProcess;

/** The real queue-service and session-service, for tests whose scaler reads its inputs from them. */
public class FleetServicesResource extends QueueAndSessionServices {

    public static volatile String queueUrl;
    public static volatile String sessionUrl;

    @Override
    protected Map<String, String> config(ServiceProcess queue, ServiceProcess session) {
        queueUrl = queue.url();
        sessionUrl = session.url();
        return Map.of("fleet.scaler.queue-url", queue.url(), "fleet.scaler.session-url", session.url(),
                "fleet.scaler.token", "test-admin-token");
    }

    /**
     * Runners report the host's CPU, which a busy test machine keeps near 100 %: at the default 90 %
     * session-service would call them degraded and place no session on them.
     */
    @Override
    protected String[] sessionSettings() {
        return new String[] {"-Dfleet.session.runners.overload-cpu-percent=101"};
    }
}
