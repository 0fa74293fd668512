package dev.fleet.platform.notify;

import java.util.List;
import java.util.regex.Pattern;

/** The PostgreSQL NOTIFY channels Fleet's services tell each other about changes on. */
public final class Channel {

    /** Jobs became available, or a queue's stats moved. */
    public static final String QUEUE = "fleet_queue";
    /** A runner registered, changed health, started draining or went away. */
    public static final String RUNNER = "fleet_runner";
    /** A session changed state. */
    public static final String SESSION = "fleet_session";
    /** A pool's desired size changed. */
    public static final String SCALING = "fleet_scaling";
    /** Jobs finished (succeeded, dead or cancelled): wakes producers waiting for their results. */
    public static final String JOB = "fleet_job";

    public static final List<String> ALL = List.of(QUEUE, RUNNER, SESSION, SCALING, JOB);

    /** Channel names go into LISTEN statements as identifiers, so only plain names are allowed. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Channel() {
    }

    static String requireValidName(String channel) {
        if (channel == null || !NAME.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a plain channel name: " + channel);
        }
        return channel;
    }
}
