package dev.fleet.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Encodes an HTTP/1.1 request head straight into a buffer: the request line, then each header as it
 * is added, then the empty line. Names and values come from a parsed request or from the gateway,
 * so they hold no line breaks; each character is written as one byte (ISO-8859-1, as parsed).
 */
final class RequestHead implements ForwardedHeaders.HeaderSink {

    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ByteBuf out;

    RequestHead(ByteBuf out, String method, String uri) {
        this.out = out;
        ByteBufUtil.writeAscii(out, method);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, uri);
        out.writeBytes(VERSION);
    }

    @Override
    public void add(CharSequence name, CharSequence value) {
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(':');
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, value);
        out.writeByte('\r');
        out.writeByte('\n');
    }

    /** Ends the head; the buffer is ready to send. */
    ByteBuf end() {
        out.writeByte('\r');
        out.writeByte('\n');
        return out;
    }
}
