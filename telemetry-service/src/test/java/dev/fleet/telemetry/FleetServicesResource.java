package dev.fleet.telemetry;

import java.util.Map;

import dev.fleet.platform.process.QueueAndSessionServices;
import dev.fleet.platform.process.ServiceProcess;

/**
 * The real queue-service and session-service whose figures the findings read. Tests reach them by
 * URL, and may stop one and start it again (same port) to see what an outage does.
 */
public class FleetServicesResource extends QueueAndSessionServices {

    public static volatile ServiceProcess queue;
    public static volatile ServiceProcess session;

    @Override
    protected Map<String, String> config(ServiceProcess queue, ServiceProcess session) {
        FleetServicesResource.queue = queue;
        FleetServicesResource.session = session;
        // the token is left to its default: the first of fleet.auth.admin-tokens
        return Map.of("fleet.telemetry.inputs.queue-url", queue.url(), "fleet.telemetry.inputs.session-url",
                session.url());
    }
}
