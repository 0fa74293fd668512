package dev.fleet.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.testing.ScriptedUpstream;
import dev.fleet.gateway.testing.ScriptedUpstream.Answer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The gateway's own upstream client against answers a server library would not send by itself:
 * each must reach the client whole, and the kept-alive connection must be reused only when it is
 * clean.
 */
@QuarkusTest
class UpstreamConnectionsTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void empty() {
        pools.pool("web").replaceMembers("test", List.of(), System.nanoTime());
    }

    private void use(ScriptedUpstream upstream) {
        long now = System.nanoTime();
        pools.pool("web").replaceMembers("test", List.of(new Instance("scripted", "web", Address.parse(upstream.url()),
                "test", ReportedLoad.ofCapacity(1), now)), now);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/web" + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAnswerToHeadHasALengthButNoBodyAndTheConnectionCarriesTheNextRequest() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.keepAlive(request.method().equals("HEAD")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Kind: head\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
                // one client connection: both requests on one event loop, so on its one upstream connection
                Socket client = new Socket("127.0.0.1", proxy.port())) {
            use(upstream);
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write("HEAD /web/x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("x-kind: head")
                    .containsIgnoringCase("content-length: 5");
            out.write("GET /web/x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(in)).startsWith("HTTP/1.1 200");
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(upstream.seen).extracting(ScriptedUpstream.Request::method).containsExactly("HEAD", "GET");
            assertThat(upstream.connections()).as("the GET went on the HEAD's connection").isEqualTo(1);
        }
    }

    /** A response head, up to and without its empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the gateway closed the connection after: " + head);
            }
            head.append((char) b);
        }
        return head.substring(0, head.length() - 4);
    }

    @Test
    void informationalAnswersAreSkippedForTheFinalOne() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.keepAlive(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                        + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone"))) {
            use(upstream);
            HttpResponse<String> answer = send("GET", "/x");
            assertThat(answer.statusCode()).isEqualTo(201);
            assertThat(answer.body()).isEqualTo("done");
        }
    }

    @Test
    void aBodyEndedByClosingReachesTheClientWholeAndTheNextRequestTakesANewConnection() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.thenClose(
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + "x".repeat(100_000)))) {
            use(upstream);
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> answer = send("GET", "/x");
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).hasSize(100_000);
            }
            assertThat(upstream.connections()).isEqualTo(3);
        }
    }

    @Test
    void aKeptAliveConnectionTheUpstreamClosedIsNotReusedAndNoRequestFails() throws Exception {
        // it answers as if it kept the connection, then closes it: the next request races that close
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.thenClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))) {
            use(upstream);
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> answer = send("GET", "/x");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("ok");
            }
            assertThat(upstream.seen).hasSize(30);
        }
    }

    @Test
    void aBodyCutShortEndsTheClientsExchangeWithAnErrorNotAHang() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.thenClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"))) {
            use(upstream);
            assertThatThrownBy(() -> send("GET", "/x")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aChunkedAnswerWithTrailersArrivesWholeAndItsConnectionCarriesTheNext() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.keepAlive(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n"))) {
            use(upstream);
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> answer = send("GET", "/x");
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("hello world");
            }
            assertThat(upstream.connections()).isEqualTo(1);
        }
    }

    @Test
    void anAnswerThatCannotBeParsedIsA502AndItsConnectionIsNotReused() throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream(request -> Answer.keepAlive(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"))) {
            use(upstream);
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> answer = send("GET", "/x");
                assertThat(answer.statusCode()).isEqualTo(502);
                assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(answer.body()).contains(GatewayProblems.UPSTREAM_FAILED).contains("Content-Length");
            }
            assertThat(upstream.connections()).isEqualTo(2);
        }
    }
}
