package dev.fleet.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream that accepts connections, reads each request's head and then resets the
 * connection (TCP RST, by closing with a zero linger) without sending a byte of an answer: a
 * runner that crashed mid-request.
 */
public final class ResettingUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();

    public ResettingUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("resetting-upstream").start(this::acceptLoop);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Requests whose head arrived (and whose connection was then reset). */
    public int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> resetAfterHead(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void resetAfterHead(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            int matched = 0;
            int b;
            // "\r\n\r\n" ends the head; a health check's connect-and-close reads nothing
            while (matched < 4 && (b = in.read()) >= 0) {
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            if (matched == 4) {
                requests.incrementAndGet();
            }
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // the peer went first: nothing to reset
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
