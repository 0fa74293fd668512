package dev.fleet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a raw HTTP/1.1 peer on a real socket, which answers each request with the
 * next scripted answer and can close a connection after answering, as a server closing idle
 * keep-alive connections does.
 */
class Http1ClientTest {

    /** A scripted answer: its bytes, and whether the peer closes the connection after it. */
    private record Answer(String bytes, boolean thenClose) {
    }

    private final ServerSocket server = open();
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Http1Client client = new Http1Client(Duration.ofSeconds(5));
    private final URI base = URI.create("http://127.0.0.1:" + server.getLocalPort());

    Http1ClientTest() {
        Thread.ofPlatform().daemon().start(this::accept);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
    }

    @Test
    void aChunkedAnswerIsReadWholeAndTheConnectionIsKeptForTheNextRequest() throws Exception {
        script.add(new Answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                + "4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n", false));
        script.add(new Answer("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 2\r\n\r\n{}", false));

        Http1Client.Response first = client.send("POST", base.resolve("/queues/q/claim?x=1"),
                Map.of("Authorization", "Bearer t"), "{\"max\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        assertThat(first.status()).isEqualTo(200);
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(first.header("content-type")).isEqualTo("application/json");

        Http1Client.Response second = client.send("GET", base.resolve("/jobs/1"), Map.of(), null, Duration.ofSeconds(5));
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.header("retry-after")).isEqualTo("3");
        assertThat(requestLines).containsExactly("POST /queues/q/claim?x=1 HTTP/1.1", "GET /jobs/1 HTTP/1.1");
        assertThat(bodies).containsExactly("{\"max\":1}", "");
        assertThat(connections).hasValue(1);
    }

    @Test
    void aPooledConnectionTheServerClosedIsReplacedWithoutTheCallerNoticing() throws Exception {
        script.add(new Answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true));
        script.add(new Answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain", false));

        assertThat(client.send("GET", base.resolve("/a"), Map.of(), null, Duration.ofSeconds(5)).body()).asString()
                .isEqualTo("ok");
        Http1Client.Response second = client.send("POST", base.resolve("/b"), Map.of(), new byte[0], Duration.ofSeconds(5));
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("again");
        assertThat(connections).hasValue(2);
    }

    @Test
    void anAnswerCutShortIsAnErrorNotATruncatedBody() {
        script.add(new Answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true));
        assertThatThrownBy(() -> client.send("GET", base.resolve("/c"), Map.of(), null, Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aPeerThatDoesNotAnswerTimesOut() {
        // No scripted answer: the peer reads the request and says nothing.
        assertThatThrownBy(() -> client.send("GET", base.resolve("/d"), Map.of(), null, Duration.ofMillis(300)))
                .isInstanceOf(java.net.SocketTimeoutException.class);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread.ofPlatform().daemon().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.ISO_8859_1)); OutputStream out = socket.getOutputStream()) {
            for (String line; (line = in.readLine()) != null; ) {
                requestLines.add(line);
                int length = 0;
                for (String header; !(header = in.readLine()).isEmpty(); ) {
                    if (header.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                for (int read = 0; read < length; ) {
                    read += in.read(body, read, length - read);
                }
                bodies.add(new String(body));
                Answer answer = script.poll(30, TimeUnit.SECONDS);
                if (answer == null) {
                    return;
                }
                out.write(answer.bytes().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (answer.thenClose()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the test is over
        }
    }

    private static ServerSocket open() {
        try {
            return new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
