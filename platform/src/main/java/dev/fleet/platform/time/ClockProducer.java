package dev.fleet.platform.time;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/**
 * The clock time-dependent rules read (idle windows, health windows, timeouts, cooldowns). A
 * service's tests replace it with a clock they can advance, so such rules are tested without
 * sleeping through their windows.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
