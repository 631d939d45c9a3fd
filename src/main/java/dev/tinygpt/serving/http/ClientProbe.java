package dev.tinygpt.serving.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * Whether the client of a non-streamed request is still there. Jetty notices a closed connection
 * only when it reads or writes, and while a completion is generated it does neither; so this reads
 * the socket itself, one byte at a time, without waiting. The body was read to its end before the
 * job was queued, so the socket holds nothing of this request: a read of -1 (or an error) means the
 * client closed the connection, 0 that it is waiting. A byte means the client sent more on the same
 * connection (HTTP/1.1 pipelining, which the HTTP clients of OpenAI's API do not use): that byte
 * cannot be given back to Jetty, so the response then closes the connection ({@code Connection:
 * close}) and the probe stops.
 *
 * <p>Only plain HTTP/1.1 over a socket is probed (no TLS: its bytes are not the request's). A
 * client that half-closes its side after sending the request would read as gone; the HTTP clients
 * and proxies in use (curl, OpenAI's, nginx) do not do that.
 */
final class ClientProbe {
    private final Context ctx;
    private SocketChannel channel; // null: nothing to probe

    private ClientProbe(Context ctx, SocketChannel channel) {
        this.ctx = ctx;
        this.channel = channel;
    }

    static ClientProbe of(Context ctx) {
        SocketChannel channel = null;
        if (!ctx.req().isSecure() && "HTTP/1.1".equals(ctx.req().getProtocol())) {
            EndPoint endPoint =
                    ServletContextRequest.getServletContextRequest(ctx.req())
                            .getConnectionMetaData()
                            .getConnection()
                            .getEndPoint();
            if (endPoint instanceof SocketChannelEndPoint socket) {
                channel = socket.getChannel();
            }
        }
        return new ClientProbe(ctx, channel);
    }

    /** True once the client has closed the connection. */
    boolean clientGone() {
        if (channel == null) {
            return false;
        }
        try {
            int n = channel.read(ByteBuffer.allocate(1)); // non-blocking: Jetty's channels are
            if (n > 0) {
                ctx.header("Connection", "close");
                channel = null;
            }
            return n < 0;
        } catch (IOException e) {
            return true; // reset by the peer
        }
    }
}
