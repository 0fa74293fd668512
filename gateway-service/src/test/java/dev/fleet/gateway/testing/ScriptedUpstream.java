package dev.fleet.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real upstream on a plain socket that answers each request with bytes a test writes itself: for
 * what a well-behaved HTTP server library would not send (an answer to HEAD, 1xx before the answer,
 * a body ended by closing, a connection closed after a kept-alive answer, a body cut short, a reset
 * instead of an answer: a runner that crashed mid-request).
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** A request as it arrived: its request line and its head's lines. */
    public record Request(String method, String target, List<String> headers) {
    }

    /** What to send back, and whether to close the connection after it; no bytes: reset the connection. */
    public record Answer(String bytes, boolean close) {

        public static Answer keepAlive(String bytes) {
            return new Answer(bytes, false);
        }

        public static Answer thenClose(String bytes) {
            return new Answer(bytes, true);
        }

        /** TCP RST (closing with a zero linger) without a byte of an answer. */
        public static Answer reset() {
            return new Answer(null, true);
        }
    }

    private final ServerSocket server;
    private final Function<Request, Answer> script;
    private final AtomicInteger connections = new AtomicInteger();
    public final List<Request> seen = new CopyOnWriteArrayList<>();

    public ScriptedUpstream(Function<Request, Answer> script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("scripted-upstream").start(this::acceptLoop);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Requests whose head and body arrived so far. */
    public int requests() {
        return seen.size();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                List<String> lines = readHead(in);
                if (lines.isEmpty()) {
                    return;
                }
                String[] line = lines.getFirst().split(" ");
                Request request = new Request(line[0], line[1], lines.subList(1, lines.size()));
                in.readNBytes(contentLength(request));
                seen.add(request);
                Answer answer = script.apply(request);
                if (answer.bytes() == null) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                out.write(answer.bytes().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (answer.close()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the gateway closed the connection
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return List.of();
    }

    private static int contentLength(Request request) {
        return request.headers().stream().filter(h -> h.regionMatches(true, 0, "Content-Length:", 0, 15))
                .map(h -> Integer.parseInt(h.substring(15).trim())).findFirst().orElse(0);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
