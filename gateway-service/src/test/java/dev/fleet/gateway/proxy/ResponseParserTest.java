package dev.fleet.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The upstream response parser on byte strings: every answer is also fed split at every byte and one
 * byte at a time, which must read the same as all at once (a socket may cut anywhere).
 */
class ResponseParserTest {

    /** What the parser told, gathered. */
    static final class Read implements ResponseParser.Sink {
        final List<ResponseHead> heads = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int lasts;
        boolean keepAlive;
        ResponseParser parser;

        @Override
        public void head(ResponseHead head) {
            heads.add(head);
        }

        @Override
        public void content(ByteBuf piece, boolean last) {
            assertThat(lasts).as("nothing after the end").isZero();
            byte[] bytes = new byte[piece.readableBytes()];
            piece.readBytes(bytes);
            body.writeBytes(bytes);
            if (last) {
                lasts++;
                keepAlive = parser.keepAlive();
            }
        }

        String body() {
            return body.toString(StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            CharSequence value = heads.getLast().get(name);
            return value == null ? null : value.toString();
        }
    }

    /** Feeds {@code answer} in pieces cut at {@code cuts}, then (if {@code close}) the connection's close. */
    private static Read read(String answer, boolean headMethod, boolean close, int... cuts) throws IOException {
        Read read = new Read();
        read.parser = new ResponseParser();
        read.parser.expect(headMethod);
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int cut : cuts) {
            feed(read, bytes, from, cut);
            from = cut;
        }
        feed(read, bytes, from, bytes.length);
        if (close) {
            read.parser.closed(read);
        }
        read.parser.discardPending();
        return read;
    }

    private static void feed(Read read, byte[] bytes, int from, int to) throws IOException {
        if (to > from && !read.parser.idle()) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, from, to - from);
            read.parser.read(piece, read);
        }
    }

    /** The answer read whole, split in two at every byte, and byte by byte: each must read alike. */
    private static List<Read> everyWay(String answer, boolean headMethod, boolean close) throws IOException {
        List<Read> reads = new ArrayList<>();
        reads.add(read(answer, headMethod, close));
        for (int cut = 1; cut < answer.length(); cut++) {
            reads.add(read(answer, headMethod, close, cut));
        }
        int[] everyByte = new int[answer.length() - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        reads.add(read(answer, headMethod, close, everyByte));
        return reads;
    }

    @Test
    void aBodyOfKnownLengthKeepsTheConnection() throws IOException {
        for (Read read : everyWay("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Thing:  a b \r\n\r\nhello", false, false)) {
            assertThat(read.heads).hasSize(1);
            ResponseHead head = read.heads.getFirst();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.customReason()).isNull();
            assertThat(head.size()).isEqualTo(2);
            assertThat(head.name(1).toString()).isEqualTo("X-Thing");
            assertThat(head.value(1).toString()).isEqualTo("a b");
            assertThat(read.body()).isEqualTo("hello");
            assertThat(read.lasts).isOne();
            assertThat(read.keepAlive).isTrue();
        }
    }

    @Test
    void aChunkedBodyIsJoinedAndItsExtensionsAndTrailersDropped() throws IOException {
        String answer = "HTTP/1.1 201 Made It\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        for (Read read : everyWay(answer, false, false)) {
            assertThat(read.heads.getFirst().customReason()).isEqualTo("Made It");
            assertThat(read.heads.getFirst().hasContentLength()).isFalse();
            assertThat(read.body()).isEqualTo("hello world");
            assertThat(read.lasts).isOne();
            assertThat(read.keepAlive).isTrue();
        }
    }

    @Test
    void informationalHeadsAreSkippedAndNoContentHasNoBody() throws IOException {
        for (Read read : everyWay("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", false, false)) {
            assertThat(read.heads).extracting(ResponseHead::status).containsExactly(204);
            assertThat(read.header("x-a")).isEqualTo("1");
            assertThat(read.body()).isEmpty();
            assertThat(read.lasts).isOne();
        }
    }

    @Test
    void anAnswerToHeadHasNoBodyWhateverItsLength() throws IOException {
        for (Read read : everyWay("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", true, false)) {
            assertThat(read.header("content-length")).isEqualTo("1000");
            assertThat(read.lasts).isOne();
            assertThat(read.keepAlive).isTrue();
        }
    }

    @Test
    void aBodyWithoutLengthRunsUntilTheCloseAndEndsTheConnection() throws IOException {
        for (Read read : everyWay("HTTP/1.0 200 OK\nServer: old\n\nall of it", false, true)) {
            assertThat(read.header("server")).isEqualTo("old");
            assertThat(read.body()).isEqualTo("all of it");
            assertThat(read.lasts).isOne();
            assertThat(read.keepAlive).isFalse();
        }
    }

    @Test
    void theConnectionHeaderAndVersionDecideWhetherTheConnectionStays() throws IOException {
        assertThat(read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false, false).keepAlive)
                .isFalse();
        assertThat(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, false).keepAlive).isFalse();
        assertThat(read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", false, false).keepAlive)
                .isTrue();
        // bytes after the answer were not asked for: the connection is not reused
        assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n", false, false).keepAlive)
                .isFalse();
        // both framings: chunked wins, and the connection is not reused
        Read both = read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
                false, false);
        assertThat(both.body()).isEqualTo("ab");
        assertThat(both.keepAlive).isFalse();
    }

    @Test
    void aFoldedLineJoinsTheHeaderBeforeIt() throws IOException {
        Read read = read("HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n", false, false);
        assertThat(read.header("x-long").replaceAll(" +", " ")).isEqualTo("one two");
        assertThat(read.lasts).isOne();
    }

    @Test
    void malformedAnswersAreRefused() {
        for (String answer : List.of(
                "HTTP/2 200 OK\r\n\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
                "HTTP/1.1 101 Switching Protocols\r\n\r\n")) {
            assertThatThrownBy(() -> read(answer, false, false)).as(answer).isInstanceOf(IOException.class);
        }
        // the message reaches the client's problem detail: a long line is cut
        String longLine = "HTTP/1.1 200 OK\r\nBad Name: " + "x".repeat(10_000) + "\r\n\r\n";
        assertThatThrownBy(() -> read(longLine, false, false)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("invalid header name in 'Bad Name: xxx").message().hasSizeLessThan(200);
        String endless = "HTTP/1.1 200 OK\r\n" + "X-A: b\r\n".repeat(ResponseParser.MAX_HEAD / 8 + 1);
        assertThatThrownBy(() -> read(endless, false, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than");
    }
}
