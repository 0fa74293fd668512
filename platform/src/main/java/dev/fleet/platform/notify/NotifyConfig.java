package dev.fleet.platform.notify;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The NOTIFY listener and publisher ({@code fleet.notify.*}). */
@ConfigMapping(prefix = "fleet.notify")
public interface NotifyConfig {

    /** First wait before reconnecting the listener after it lost its connection. */
    @WithDefault("200ms")
    Duration reconnectInitialDelay();

    /** Longest wait between reconnect attempts (the wait doubles from the initial one, with jitter). */
    @WithDefault("10s")
    Duration reconnectMaxDelay();

    /** Largest payload sent in one NOTIFY, in UTF-8 bytes; PostgreSQL rejects 8000 or more. */
    @WithDefault("7900")
    int maxPayloadBytes();
}
