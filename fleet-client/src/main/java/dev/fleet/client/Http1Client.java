package dev.fleet.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking HTTP/1.1 client with keep-alive, for the calls a runner makes thousands of
 * times a second (claims, outcomes, heartbeats, telemetry). The JDK's {@code HttpClient} spent
 * about 0.4 ms of CPU per request on a runner, in its selector thread, executor hand-offs and
 * futures; here a request is one write and a read on the calling thread. Each request goes out
 * in a single write (headers and body together, Nagle off). A connection that has been idle in
 * the pool may have been closed by the server: if it fails before any byte of the answer
 * arrived, the request is sent once more on a fresh connection, as nginx and browsers do.
 * {@link #close()} closes every connection, which ends calls blocked in a read.
 */
final class Http1Client implements AutoCloseable {

    /** Pooled connections idle longer than this are not reused (servers close idle ones). */
    private static final long MAX_IDLE_NANOS = Duration.ofSeconds(20).toNanos();
    private static final int MAX_IDLE_PER_HOST = 64;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    record Response(int status, Map<String, String> headers, byte[] body) {

        /** A header by lower-case name, or null. */
        String header(String name) {
            return headers.get(name);
        }
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Thrown when a reused connection failed before the answer began: safe to send again. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super(cause);
        }
    }

    private final int connectTimeoutMs;
    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final Set<Connection> inUse = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Http1Client(Duration connectTimeout) {
        this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
    }

    /** One exchange; {@code headers} are sent as given, Host, Content-Length and Connection are added. */
    Response send(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        byte[] request = encode(method, uri, headers, body);
        String key = uri.getScheme() + "://" + uri.getHost() + ":" + port(uri);
        Connection pooled = takeIdle(key);
        if (pooled != null) {
            try {
                return exchange(key, pooled, request, timeout);
            } catch (StaleConnection stale) {
                // fall through to a fresh connection
            }
        }
        return exchange(key, open(uri), request, timeout);
    }

    @Override
    public void close() {
        closed = true;
        idle.values().forEach(connections -> connections.forEach(Connection::close));
        idle.clear();
        inUse.forEach(Connection::close);
    }

    private Response exchange(String key, Connection connection, byte[] request, Duration timeout) throws IOException {
        boolean reused = connection.idleSince != 0;
        inUse.add(connection);
        boolean keep = false;
        try {
            if (closed) {
                throw new IOException("the client is closed");
            }
            connection.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            int first;
            try {
                connection.out.write(request);
                connection.out.flush();
                first = connection.in.read();
            } catch (IOException e) {
                throw reused && !(e instanceof java.net.SocketTimeoutException) ? new StaleConnection(e) : e;
            }
            if (first < 0) {
                EOFException eof = new EOFException("connection closed before an answer");
                throw reused ? new StaleConnection(eof) : eof;
            }
            Response response = read(connection.in, first);
            keep = !"close".equalsIgnoreCase(response.header("connection"));
            return response;
        } finally {
            inUse.remove(connection);
            if (keep && !closed) {
                giveBack(key, connection);
            } else {
                connection.close();
            }
        }
    }

    private Connection takeIdle(String key) {
        Deque<Connection> connections = idle.get(key);
        if (connections == null) {
            return null;
        }
        for (Connection c; (c = connections.pollFirst()) != null; ) {
            if (System.nanoTime() - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private void giveBack(String key, Connection connection) {
        Deque<Connection> connections = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        if (connections.size() >= MAX_IDLE_PER_HOST) {
            connection.close();
            return;
        }
        connection.idleSince = System.nanoTime();
        connections.addFirst(connection); // most recently used first: the warmest, least likely closed
    }

    private Connection open(URI uri) throws IOException {
        if (closed) {
            throw new IOException("the client is closed");
        }
        Socket socket;
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            SSLSocket tls = (SSLSocket) SSLSocketFactory.getDefault().createSocket();
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            socket = tls;
        } else if ("http".equalsIgnoreCase(uri.getScheme())) {
            socket = new Socket();
        } else {
            throw new IOException("unsupported scheme in " + uri);
        }
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), port(uri)), connectTimeoutMs);
            return new Connection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static byte[] encode(String method, URI uri, Map<String, String> headers, byte[] body) {
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost());
        if (uri.getPort() > 0) {
            head.append(':').append(uri.getPort());
        }
        head.append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null || !method.equals("GET")) {
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return start;
        }
        byte[] request = new byte[start.length + body.length];
        System.arraycopy(start, 0, request, 0, start.length);
        System.arraycopy(body, 0, request, start.length, body.length);
        return request;
    }

    /** Reads status line, headers and body; {@code first} is the answer's first byte, read already. */
    private static Response read(InputStream in, int first) throws IOException {
        String statusLine = line(in, first);
        // "HTTP/1.1 200 OK"
        int space = statusLine.indexOf(' ');
        if (!statusLine.startsWith("HTTP/1.") || space < 0 || statusLine.length() < space + 4) {
            throw new IOException("not an HTTP/1.1 answer: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(space + 1, space + 4));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new HashMap<>();
        int headerBytes = 0;
        for (String header; !(header = line(in, in.read())).isEmpty(); ) {
            headerBytes += header.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("answer headers over " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        if (status == 204 || status == 304 || status / 100 == 1) {
            return new Response(status, headers, new byte[0]);
        }
        String length = headers.get("content-length");
        if (length != null) {
            int n = parseLength(length);
            byte[] body = in.readNBytes(n);
            if (body.length < n) {
                throw new EOFException("answer ended after " + body.length + " of " + n + " bytes");
            }
            return new Response(status, headers, body);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return new Response(status, headers, chunked(in));
        }
        headers.put("connection", "close"); // delimited by the end of the connection
        return new Response(status, headers, in.readAllBytes());
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            String size = line(in, in.read());
            int semicolon = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + size);
            }
            if (n == 0) {
                while (!line(in, in.read()).isEmpty()) {
                    // trailers: none used
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new EOFException("answer ended inside a chunk");
            }
            body.write(chunk);
            line(in, in.read()); // the chunk's CRLF
        }
    }

    private static int parseLength(String value) throws IOException {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException("bad Content-Length: " + value);
    }

    /** One CRLF-terminated line starting with byte {@code first}, without its CRLF. */
    private static String line(InputStream in, int first) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = first; ; b = in.read()) {
            if (b < 0) {
                throw new EOFException("answer ended inside a line");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() > MAX_HEADER_BYTES) {
                throw new IOException("answer line over " + MAX_HEADER_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }
}
