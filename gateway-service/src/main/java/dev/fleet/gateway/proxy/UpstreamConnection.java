package dev.fleet.gateway.proxy;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import dev.fleet.gateway.pool.Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One keep-alive HTTP/1.1 connection to an upstream, carrying one exchange at a time: it sends the
 * request (head, then the body as it comes, chunked when its length is unknown) and hands the answer
 * to the exchange's {@link Listener} as its {@link ResponseParser} reads it. Back to its client's idle connections only
 * when both the request and the response ended and the upstream keeps the connection alive.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter implements ResponseParser.Sink {

    /** What an exchange hears from its upstream connection, on the connection's event loop. */
    interface Listener {

        /** The final response head arrived (informational 1xx answers are skipped). */
        void onHead(ResponseHead head);

        /** A piece of the body; {@code last} ends the response. The buffer is valid during the call only. */
        void onContent(ByteBuf content, boolean last);

        /** The exchange failed before the response ended: closed, reset, unparsable or past a deadline. */
        void onFailure(Throwable cause);

        /** The connection can take more of the request body. */
        void onWritable();
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final UpstreamClient client;
    private final Address address;
    private final ResponseParser parser = new ResponseParser();
    private Channel channel;
    private Listener listener;
    private boolean chunked;
    private boolean requestEnded;
    private long headDeadline;
    private long idleTimeoutNanos;
    private long lastActivity;
    private Throwable failure;
    private long exchanges;

    UpstreamConnection(UpstreamClient client, Address address) {
        this.client = client;
        this.address = address;
    }

    Address address() {
        return address;
    }

    /** Whether it has carried an exchange already (asked before {@link #send}). */
    boolean reused() {
        return exchanges > 0;
    }

    boolean isOpen() {
        return channel != null && channel.isActive();
    }

    // --- the request ----------------------------------------------------------------------------

    /** A buffer for the request head, from the connection's allocator. */
    ByteBuf headBuffer() {
        return channel.alloc().buffer(512);
    }

    /**
     * Sends a request head. {@code bodyLength}: 0 for none, the length of a body that follows with
     * {@link #writeBody} and {@link #endBody}, or -1 for a chunked one (the head already says which).
     */
    void send(Listener to, ByteBuf head, boolean headMethod, long bodyLength, long headTimeoutNanos, long idleTimeoutNanos) {
        listener = to;
        exchanges++;
        parser.expect(headMethod);
        chunked = bodyLength < 0;
        requestEnded = bodyLength == 0;
        failure = null;
        lastActivity = System.nanoTime();
        headDeadline = lastActivity + headTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        if (requestEnded) {
            channel.writeAndFlush(head, channel.voidPromise());
        } else {
            channel.write(head, channel.voidPromise());
        }
    }

    void writeBody(ByteBuf chunk) {
        lastActivity = System.nanoTime();
        if (chunked) {
            ByteBuf size = channel.alloc().buffer(12);
            ByteBufUtil.writeAscii(size, Integer.toHexString(chunk.readableBytes()));
            size.writeBytes(CRLF);
            channel.write(size, channel.voidPromise());
            channel.write(chunk, channel.voidPromise());
            channel.writeAndFlush(channel.alloc().buffer(2).writeBytes(CRLF), channel.voidPromise());
        } else {
            channel.writeAndFlush(chunk, channel.voidPromise());
        }
    }

    void endBody() {
        requestEnded = true;
        if (chunked) {
            channel.writeAndFlush(channel.alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK), channel.voidPromise());
        } else {
            channel.flush();
        }
    }

    boolean writable() {
        return channel.isWritable();
    }

    /** Stop reading the answer while the client cannot take more of it. */
    void pauseReading() {
        channel.config().setAutoRead(false);
    }

    void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** Ends the exchange here and closes the connection: its listener hears nothing more. */
    void abort() {
        listener = null;
        if (channel != null) {
            channel.close();
        }
    }

    /** Called by the client's sweep: ends an exchange past its deadline, closes a connection idle too long. */
    void checkDeadlines(long now, long keepAliveNanos) {
        if (listener == null) {
            if (now - lastActivity > keepAliveNanos) {
                channel.close();
            }
        } else if (headDeadline != 0 && now - headDeadline > 0) {
            fail(new TimeoutException("no response head within the request timeout"));
        } else if (now - lastActivity > idleTimeoutNanos) {
            fail(new TimeoutException("no bytes either way within the idle timeout"));
        }
    }

    // --- the response ---------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf bytes = (ByteBuf) message;
        try {
            if (listener == null || parser.idle()) {
                channel.close(); // bytes nobody asked for: the connection cannot be trusted with a next request
                return;
            }
            lastActivity = System.nanoTime();
            parser.read(bytes, this);
        } catch (IOException e) {
            fail(e);
        } finally {
            bytes.release();
        }
    }

    @Override
    public void head(ResponseHead head) {
        Listener to = listener;
        if (to != null) {
            headDeadline = 0;
            to.onHead(head);
        }
    }

    @Override
    public void content(ByteBuf piece, boolean last) {
        Listener to = listener;
        if (to == null) {
            return; // the exchange gave up on this answer (the connection is closing)
        }
        if (last) {
            listener = null;
            if (parser.keepAlive() && requestEnded) {
                client.recycle(this);
            } else {
                channel.close();
            }
        }
        to.onContent(piece, last);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null && channel.isWritable()) {
            listener.onWritable();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.closed(this);
        if (listener != null && failure == null) {
            parser.closed(this); // a body that runs until the close ends here
        }
        parser.discardPending();
        Listener to = listener;
        if (to != null) {
            listener = null;
            to.onFailure(failure != null ? failure : new IOException(address + " closed the connection"));
        }
    }

    private void fail(Throwable cause) {
        Listener to = listener;
        listener = null;
        channel.close();
        if (to != null) {
            to.onFailure(cause instanceof IOException || cause instanceof TimeoutException ? cause
                    : new IOException("invalid response from " + address + ": " + cause.getMessage(), cause));
        }
    }
}
