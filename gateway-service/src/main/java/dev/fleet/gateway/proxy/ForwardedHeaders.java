package dev.fleet.gateway.proxy;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Header handling between client and upstream: hop-by-hop headers (RFC 9110 §7.6.1, and any the
 * Connection header names) stay on their own connection; everything else passes byte for byte,
 * plus {@code X-Forwarded-For/-Proto/-Host/-Port} and a request id.
 */
public final class ForwardedHeaders {

    public static final String REQUEST_ID = "X-Request-Id";

    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "http2-settings");

    /** Set by {@link #forRequest} itself, whatever the client sent. */
    private static final List<String> SET_WHEN_FORWARDING = List.of("x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port", REQUEST_ID);

    private static final String[] NONE = {};

    private ForwardedHeaders() {
    }

    /** The client's request id if it sent one (of sane length), else a new one. */
    public static String requestId(HttpServerRequest request) {
        String id = request.getHeader(REQUEST_ID);
        return id != null && !id.isBlank() && id.length() <= 200 ? id : newRequestId();
    }

    /**
     * A random (version 4) UUID from the thread's own generator: an id needs to be unique, not
     * unguessable, and {@link UUID#randomUUID} would make every event loop share one SecureRandom.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    /** Where copied headers go: a header map, or the head of an upstream request being encoded. */
    public interface HeaderSink {
        void add(CharSequence name, CharSequence value);
    }

    /** Copies end-to-end headers from {@code from} to {@code to}. */
    public static void copyEndToEnd(MultiMap from, MultiMap to) {
        copyEndToEnd(entries(from), from.get("Connection"), to::add, false);
    }

    /**
     * Copies the headers of {@code from} but the hop-by-hop ones and those its {@code connection}
     * header names; {@code forwarding}: also leaves out the ones {@link #forRequest} sets itself.
     */
    public static void copyEndToEnd(Iterator<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> from,
            CharSequence connection, HeaderSink to, boolean forwarding) {
        String[] named = namedBy(connection);
        while (from.hasNext()) {
            var header = from.next();
            if (endToEnd(header.getKey(), named, forwarding)) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }

    /** Copies an upstream answer's end-to-end headers. */
    static void copyEndToEnd(ResponseHead from, HeaderSink to) {
        String[] named = namedBy(from.connection());
        for (int i = 0; i < from.size(); i++) {
            CharSequence name = from.name(i);
            if (endToEnd(name, named, false)) {
                to.add(name, from.value(i));
            }
        }
    }

    /** The headers a Connection header names (hop-by-hop on this connection only). */
    private static String[] namedBy(CharSequence connection) {
        // "Connection: keep-alive" (the common case) names only a header that is hop-by-hop anyway
        return connection == null || oneOf(HOP_BY_HOP, trimmed(connection)) ? NONE : connection.toString().split(",");
    }

    /** Without surrounding whitespace; the usual value, which has none, as it is (no copy). */
    private static CharSequence trimmed(CharSequence value) {
        int length = value.length();
        boolean padded = length > 0 && (Character.isWhitespace(value.charAt(0))
                || Character.isWhitespace(value.charAt(length - 1)));
        return padded ? value.toString().trim() : value;
    }

    private static boolean endToEnd(CharSequence name, String[] named, boolean forwarding) {
        return !oneOf(HOP_BY_HOP, name) && !namedIn(named, name)
                && !(forwarding && (oneOf(SET_WHEN_FORWARDING, name) || name.charAt(0) == ':'));
    }

    /**
     * The headers' entries as the parser left them where the map can (Netty's {@link HttpHeaders},
     * which Vert.x's HTTP/1 headers are): without a String made of every name and value.
     */
    static Iterator<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> entries(Iterable<Map.Entry<String, String>> headers) {
        return headers instanceof HttpHeaders netty ? netty.iteratorCharSequence() : headers.iterator();
    }

    /** Without lower-casing every header name of every request: compare only where the length fits. */
    private static boolean oneOf(List<String> names, CharSequence name) {
        for (String hop : names) {
            if (hop.length() == name.length() && AsciiString.contentEqualsIgnoreCase(hop, name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Headers for the upstream request: the client's end-to-end ones (HTTP/2 pseudo-headers left
     * out) plus the forwarding ones, which replace any the client sent.
     */
    public static void forRequest(HttpServerRequest request, String requestId, HeaderSink to) {
        MultiMap from = request.headers();
        copyEndToEnd(entries(from), from.get("Connection"), to, true);
        String clientIp = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        String prior = from.get("X-Forwarded-For");
        to.add("X-Forwarded-For", prior == null ? clientIp : prior + ", " + clientIp);
        to.add("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        String host = from.get("Host"); // HTTP/1 (parsing the authority would cost more than reading it)
        if (host == null && request.authority() != null) {
            host = request.authority().toString(); // HTTP/2's :authority, which the upstream gets as Host
            to.add("Host", host);
        }
        if (host != null) {
            to.add("X-Forwarded-Host", host);
        }
        if (request.localAddress() != null) {
            to.add("X-Forwarded-Port", portText(request.localAddress().port()));
        }
        to.add(REQUEST_ID, requestId);
    }

    /** The listener's port as text, made once rather than per request (a race only makes it twice). */
    private static volatile PortText lastPort = new PortText(-1, "");

    private record PortText(int port, String text) {
    }

    private static String portText(int port) {
        PortText last = lastPort;
        if (last.port() != port) {
            last = new PortText(port, Integer.toString(port));
            lastPort = last;
        }
        return last.text();
    }

    private static boolean namedIn(String[] named, CharSequence name) {
        for (String token : named) {
            if (AsciiString.contentEqualsIgnoreCase(token.trim(), name)) {
                return true;
            }
        }
        return false;
    }
}
