package dev.fleet.queue.queue;

import java.util.regex.Pattern;

import dev.fleet.platform.problem.ProblemException;

/** Queue names appear in URLs, metrics tags and NOTIFY payloads, so they are kept plain. */
public final class QueueNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private QueueNames() {
    }

    public static String require(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalidField("queue",
                    "A queue name is 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit.");
        }
        return name;
    }
}
