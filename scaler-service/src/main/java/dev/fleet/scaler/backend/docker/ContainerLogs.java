package dev.fleet.scaler.backend.docker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The text of {@code GET /containers/{id}/logs}: without a TTY the daemon multiplexes stdout and
 * stderr in frames of an 8-byte header (stream, 0, 0, 0, big-endian length) and the bytes.
 */
final class ContainerLogs {

    private ContainerLogs() {
    }

    static String text(byte[] raw) {
        if (raw.length < 8 || raw[0] > 2 || raw[1] != 0 || raw[2] != 0 || raw[3] != 0) {
            return new String(raw, StandardCharsets.UTF_8); // a TTY container: plain text
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at + 8 <= raw.length) {
            int length = ((raw[at + 4] & 0xff) << 24) | ((raw[at + 5] & 0xff) << 16) | ((raw[at + 6] & 0xff) << 8)
                    | (raw[at + 7] & 0xff);
            int from = at + 8;
            int to = (int) Math.min(raw.length, (long) from + length);
            out.write(raw, from, to - from);
            at = to;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
