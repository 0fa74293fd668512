package dev.fleet.runner;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class whose tests share one set of real services, started before and stopped after them. */
abstract class AgainstFleetServices {

    static FleetServices services;
    static Api queue;
    static Api sessions;

    @BeforeAll
    static void startServices() throws Exception {
        services = FleetServices.start();
        queue = services.queueApi();
        sessions = services.sessionApi();
    }

    @AfterAll
    static void stopServices() throws Exception {
        services.close();
    }
}
