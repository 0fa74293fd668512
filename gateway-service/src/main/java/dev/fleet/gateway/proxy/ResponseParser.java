package dev.fleet.gateway.proxy;

import java.io.IOException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Reads an HTTP/1.x response from an upstream connection as its bytes come (RFC 9112): the head
 * into a {@link ResponseHead}, then the body framed by Content-Length, chunked coding or the close of
 * the connection, handed on piece by piece as slices of what was read. Informational (1xx) heads are
 * skipped; trailers are read and dropped. Only a head, chunk-size line or trailer split between two
 * reads is kept back, so the usual answer is parsed straight from the socket's buffer. Netty's
 * decoder made a header map, a String and an AsciiString per header and a trailer map per answer.
 */
final class ResponseParser {

    /** What the parser reads out of the bytes, in order. */
    interface Sink {

        void head(ResponseHead head);

        /** A piece of the body (valid during the call only); {@code last} ends the response. */
        void content(ByteBuf piece, boolean last);
    }

    /** The longest head (status line and headers) or trailer section taken, in bytes. */
    static final int MAX_HEAD = 72 * 1024;

    private static final int MAX_CHUNK_LINE = 4096;

    private enum State { IDLE, HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private State state = State.IDLE;
    private boolean headMethod;
    private boolean keepAlive;
    private long remaining;
    private int trailerBytes;
    /** The start of a head, line or trailers whose end has not come yet; null when nothing waits. */
    private ByteBuf pending;

    /** A request went out: its response comes next ({@code headMethod}: a head without a body). */
    void expect(boolean headMethod) {
        this.headMethod = headMethod;
        state = State.HEAD;
        keepAlive = false;
        discardPending();
    }

    /** Whether the connection may carry another exchange after this response (known once it ended). */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the parser waits for a response (bytes now would be unasked for). */
    boolean idle() {
        return state == State.IDLE;
    }

    /** Reads {@code in} (not released here), telling {@code sink}; stops after the response's end. */
    void read(ByteBuf in, Sink sink) throws IOException {
        ByteBuf from = in;
        if (pending != null) {
            pending.writeBytes(in);
            from = pending;
        }
        while (from.isReadable() && state != State.IDLE) {
            if (!step(from, sink)) {
                break; // waits for more bytes
            }
        }
        if (state == State.IDLE) {
            discardPending();
        } else if (from == in && in.isReadable()) {
            pending = Unpooled.buffer(Math.max(256, in.readableBytes() * 2)).writeBytes(in);
        } else if (from == pending) {
            if (pending.isReadable()) {
                pending.discardReadBytes();
            } else {
                discardPending(); // the rest of the body comes straight from the socket's buffers
            }
        }
    }

    /** Releases what was kept back. */
    void discardPending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** One step of the state machine; false when the next needs bytes not yet read. */
    private boolean step(ByteBuf from, Sink sink) throws IOException {
        switch (state) {
            case HEAD -> {
                while (from.isReadable() && isLineEnd(from.getByte(from.readerIndex()))) {
                    from.skipBytes(1); // empty lines before a status line are ignored (RFC 9112 §2.2)
                }
                int end = headEnd(from);
                if (end < 0 || end - from.readerIndex() > MAX_HEAD) {
                    if (end >= 0 || from.readableBytes() > MAX_HEAD) {
                        throw new IOException("response head larger than " + MAX_HEAD + " bytes");
                    }
                    return false;
                }
                byte[] bytes = new byte[end - from.readerIndex()];
                from.readBytes(bytes);
                ResponseHead head = ResponseHead.parse(bytes);
                if (head.status() >= 100 && head.status() < 200) {
                    if (head.status() == 101) {
                        throw new IOException("101 Switching Protocols to a request that asked for no upgrade");
                    }
                    return true; // e.g. 100 Continue: the final answer follows
                }
                frame(head);
                sink.head(head);
                if (state == State.IDLE) {
                    endResponse(from, Unpooled.EMPTY_BUFFER, sink);
                }
            }
            case FIXED -> {
                int n = (int) Math.min(remaining, from.readableBytes());
                ByteBuf piece = from.readSlice(n);
                remaining -= n;
                if (remaining == 0) {
                    endResponse(from, piece, sink);
                } else {
                    sink.content(piece, false);
                }
            }
            case CHUNK_SIZE -> {
                int eol = from.indexOf(from.readerIndex(), from.writerIndex(), (byte) '\n');
                if (eol < 0) {
                    if (from.readableBytes() > MAX_CHUNK_LINE) {
                        throw new IOException("chunk-size line longer than " + MAX_CHUNK_LINE + " bytes");
                    }
                    return false;
                }
                remaining = chunkSize(from, eol);
                from.readerIndex(eol + 1);
                if (remaining == 0) {
                    state = State.TRAILERS;
                    trailerBytes = 0;
                } else {
                    state = State.CHUNK_DATA;
                }
            }
            case CHUNK_DATA -> {
                int n = (int) Math.min(remaining, from.readableBytes());
                ByteBuf piece = from.readSlice(n);
                remaining -= n;
                if (remaining == 0) {
                    state = State.CHUNK_END;
                }
                sink.content(piece, false);
            }
            case CHUNK_END -> {
                byte first = from.getByte(from.readerIndex());
                if (first == '\n') {
                    from.skipBytes(1);
                } else if (from.readableBytes() < 2) {
                    return false;
                } else if (first == '\r' && from.getByte(from.readerIndex() + 1) == '\n') {
                    from.skipBytes(2);
                } else {
                    throw new IOException("chunk data not followed by CRLF");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                int eol = from.indexOf(from.readerIndex(), from.writerIndex(), (byte) '\n');
                if (eol < 0) {
                    if (trailerBytes + from.readableBytes() > MAX_HEAD) {
                        throw new IOException("trailers larger than " + MAX_HEAD + " bytes");
                    }
                    return false;
                }
                int length = eol - from.readerIndex();
                trailerBytes += length + 1;
                from.readerIndex(eol + 1);
                boolean empty = length == 0 || (length == 1 && from.getByte(eol - 1) == '\r');
                if (empty) {
                    endResponse(from, Unpooled.EMPTY_BUFFER, sink);
                } else if (trailerBytes > MAX_HEAD) {
                    throw new IOException("trailers larger than " + MAX_HEAD + " bytes");
                }
            }
            case UNTIL_CLOSE -> sink.content(from.readSlice(from.readableBytes()), false);
            case IDLE -> throw new IllegalStateException("no response expected");
        }
        return true;
    }

    /** The close of the connection ends a body that runs until then. */
    void closed(Sink sink) {
        if (state == State.UNTIL_CLOSE) {
            state = State.IDLE;
            sink.content(Unpooled.EMPTY_BUFFER, true);
        }
    }

    /** The body's framing (RFC 9112 §6.3) and whether the connection stays open after it. */
    private void frame(ResponseHead head) throws IOException {
        int status = head.status();
        keepAlive = head.http10() ? head.hasToken("connection", "keep-alive") : !head.hasToken("connection", "close");
        CharSequence lastCoding = null;
        for (int i = 0; i < head.size(); i++) {
            if (head.nameIs(i, "transfer-encoding")) {
                lastCoding = head.value(i);
            }
        }
        boolean encoded = lastCoding != null;
        // the last coding of the last Transfer-Encoding line frames the body
        boolean chunked = encoded && lastCoding.toString().substring(lastCoding.toString().lastIndexOf(',') + 1).trim()
                .equalsIgnoreCase("chunked");
        if (encoded && head.hasContentLength()) {
            keepAlive = false; // both framings: the connection cannot be trusted with the next answer
        }
        if (headMethod || status == 204 || status == 304) {
            state = State.IDLE;
        } else if (encoded) {
            state = chunked ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
        } else if (head.hasContentLength()) {
            remaining = head.contentLength();
            state = remaining == 0 ? State.IDLE : State.FIXED;
        } else {
            state = State.UNTIL_CLOSE;
        }
        if (state == State.UNTIL_CLOSE) {
            keepAlive = false;
        }
    }

    /** The response ended with {@code last}: bytes after it were not asked for, so the connection closes. */
    private void endResponse(ByteBuf from, ByteBuf last, Sink sink) {
        state = State.IDLE;
        if (from.isReadable()) {
            keepAlive = false;
        }
        sink.content(last, true);
    }

    /** The size on a chunk-size line ending at {@code eol} (extensions after ';' ignored). */
    private static long chunkSize(ByteBuf from, int eol) throws IOException {
        long size = 0;
        int digits = 0;
        for (int i = from.readerIndex(); i < eol; i++) {
            byte b = from.getByte(i);
            int digit = Character.digit(b, 16);
            if (digit < 0) {
                if (b == ';' || b == ' ' || b == '\t' || b == '\r') {
                    break;
                }
                throw new IOException("invalid chunk size");
            }
            if (++digits > 15) {
                throw new IOException("chunk size too large");
            }
            size = size * 16 + digit;
        }
        if (digits == 0) {
            throw new IOException("invalid chunk size");
        }
        return size;
    }

    private static boolean isLineEnd(byte b) {
        return b == '\r' || b == '\n';
    }

    /** The index just past the empty line that ends a head starting at the reader index, or -1. */
    private static int headEnd(ByteBuf from) {
        int lineStart = from.readerIndex();
        int end = from.writerIndex();
        while (lineStart < end) {
            int eol = from.indexOf(lineStart, end, (byte) '\n');
            if (eol < 0) {
                return -1;
            }
            int length = eol - lineStart;
            if (length == 0 || (length == 1 && from.getByte(lineStart) == '\r')) {
                return eol + 1;
            }
            lineStart = eol + 1;
        }
        return -1;
    }
}
