package dev.fleet.scaler.backend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fleet.scaler.policy.InvalidPolicyException;

/** An inclusive range of TCP ports, written {@code 9200-9299} (or {@code 9200} for one). */
public record PortRange(int first, int last) {

    private static final Pattern RANGE = Pattern.compile("(\\d{1,5})(?:\\s*-\\s*(\\d{1,5}))?");

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
    }

    /** @throws InvalidPolicyException naming {@code field} when {@code text} is not a range inside 1-65535 */
    public static PortRange parse(String field, String text) {
        Matcher m = RANGE.matcher(text.trim());
        if (m.matches()) {
            int first = Integer.parseInt(m.group(1));
            int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
            if (first >= 1 && last <= 65535 && first <= last) {
                return new PortRange(first, last);
            }
        }
        throw new InvalidPolicyException(field,
                "must be a port range like 9200-9299 within 1-65535, was '" + text + "'");
    }

    /** Something listens on the port on this machine (or it is otherwise not bindable). */
    public static boolean inUse(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // a port in TIME_WAIT after a stopped runner is free
            socket.bind(new InetSocketAddress(port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
