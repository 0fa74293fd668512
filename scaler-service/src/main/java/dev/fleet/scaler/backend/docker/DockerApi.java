package dev.fleet.scaler.backend.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small client of the Docker Engine API (Docker, and Podman's compatible service): HTTP/1.1 over
 * a Unix socket ({@code unix:///var/run/docker.sock}) or TCP ({@code tcp://127.0.0.1:2375}).
 *
 * <p>The JDK's HttpClient speaks no Unix sockets and docker-java leans on reflection, while the
 * backend makes a handful of small calls; so this writes the request itself. One connection per
 * call ({@code Connection: close}): nothing pooled goes stale when the daemon restarts, and a
 * call's deadline is enforced by closing its channel, which unblocks the read.
 */
final class DockerApi {

    /** An answer: the status and the body (already de-chunked). */
    record Answer(int status, byte[] body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_ANSWER_BYTES = 16 << 20;
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-api-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final URI host;
    private final SocketAddress address;
    private final String version;
    private final ObjectMapper json;

    /** @param host {@code unix:///path} or {@code tcp://host:port}; {@code version} like {@code v1.41} */
    DockerApi(URI host, String version, ObjectMapper json) {
        this.host = host;
        this.version = version;
        this.json = json;
        this.address = switch (host.getScheme() == null ? "" : host.getScheme().toLowerCase(Locale.ROOT)) {
            case "unix" -> UnixDomainSocketAddress.of(host.getPath());
            case "tcp", "http" -> new InetSocketAddress(host.getHost(), host.getPort() < 0 ? 2375 : host.getPort());
            default -> throw new IllegalArgumentException("must be unix:///path/to/docker.sock or tcp://host:port, was '"
                    + host + "'");
        };
    }

    URI host() {
        return host;
    }

    Answer get(String path, Duration timeout) throws IOException {
        return call("GET", path, null, timeout);
    }

    Answer post(String path, JsonNode body, Duration timeout) throws IOException {
        return call("POST", path, body, timeout);
    }

    Answer delete(String path, Duration timeout) throws IOException {
        return call("DELETE", path, null, timeout);
    }

    JsonNode json(Answer answer) throws IOException {
        return answer.body().length == 0 ? json.missingNode() : json.readTree(answer.body());
    }

    /** {@code path} is below the API version, e.g. {@code /containers/json}. */
    private Answer call(String method, String path, JsonNode body, Duration timeout) throws IOException {
        byte[] payload = body == null ? new byte[0] : json.writeValueAsBytes(body);
        String head = method + " /" + version + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + payload.length + "\r\n\r\n";
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> closeQuietly(channel), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            channel.connect(address);
            write(channel, head.getBytes(StandardCharsets.US_ASCII));
            write(channel, payload);
            return parse(readAll(channel), method + " " + path);
        } catch (AsynchronousCloseException e) {
            throw new IOException(method + " " + path + " at " + host + ": no answer within " + timeout.toMillis()
                    + " ms", e);
        } finally {
            deadline.cancel(false);
            closeQuietly(channel);
        }
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            if (out.size() > MAX_ANSWER_BYTES) {
                throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    /** Status line, headers, then a body by Content-Length, chunked, or up to the end (Connection: close). */
    static Answer parse(byte[] raw, String call) throws IOException {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (headEnd < 0) {
            throw new IOException(call + ": incomplete HTTP answer (" + raw.length + " bytes)");
        }
        String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException(call + ": not an HTTP answer: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        boolean chunked = false;
        int length = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            } else if (name.equals("content-length")) {
                length = Integer.parseInt(value);
            }
        }
        int from = headEnd + 4;
        if (chunked) {
            return new Answer(status, dechunk(raw, from, call));
        }
        int to = length < 0 ? raw.length : Math.min(raw.length, from + length);
        return new Answer(status, java.util.Arrays.copyOfRange(raw, from, to));
    }

    private static byte[] dechunk(byte[] raw, int from, String call) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = from;
        byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
        while (true) {
            int lineEnd = indexOf(raw, crlf, at);
            if (lineEnd < 0) {
                throw new IOException(call + ": truncated chunked answer");
            }
            String sizeText = new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII);
            int semicolon = sizeText.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                return body.toByteArray();
            }
            int start = lineEnd + 2;
            if (start + size > raw.length) {
                throw new IOException(call + ": truncated chunked answer");
            }
            body.write(raw, start, size);
            at = start + size + 2;
        }
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer: for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }
}
