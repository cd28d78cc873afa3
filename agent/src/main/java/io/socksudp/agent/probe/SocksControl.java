package io.socksudp.agent.probe;

import io.socksudp.agent.socks.Command;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.CommandRequest;
import io.socksudp.agent.socks.MethodNegotiation;
import io.socksudp.agent.socks.PasswordAuth;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One TCP control connection to a SOCKS5 server, step by step (each message waits for its answer) or pipelined
 * (everything in one write, as the agent sends it), with a way to ask afterwards whether the server has ended it.
 */
public final class SocksControl implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private ByteBuffer buffer = ByteBuffer.allocate(1024);

    private SocksControl(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        buffer.flip();
    }

    /** Connects (bypassing any JDK socksProxyHost), with {@code timeoutMillis} for the connect and every read. */
    public static SocksControl open(InetSocketAddress proxy, int timeoutMillis) throws IOException {
        Socket s = new Socket(Proxy.NO_PROXY);
        try {
            s.setTcpNoDelay(true);
            s.connect(proxy, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new SocksControl(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** The address this end of the connection has: the address the proxy sees, unless a NAT is in between. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    /** Offers {@code methods}; the method the server selected (0xFF: none acceptable). */
    public int negotiate(int... methods) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(2 + methods.length);
        MethodNegotiation.encodeGreeting(out, methods);
        write(out);
        Integer method;
        while ((method = MethodNegotiation.decodeSelection(buffer)) == null) {
            readMore("the method selection");
        }
        return method;
    }

    /** RFC 1929; whether the server accepted the credentials. {@code password} is cleared. */
    public boolean authenticate(byte[] user, byte[] password) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(3 + user.length + password.length);
        PasswordAuth.encodeRequest(out, user, password);
        Arrays.fill(password, (byte) 0);
        write(out);
        Boolean ok;
        while ((ok = PasswordAuth.decodeResponse(buffer)) == null) {
            readMore("the authentication reply");
        }
        return ok;
    }

    /** Sends a request and returns the server's reply (any REP). */
    public CommandReply request(Command command, SocksAddress dst) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(6 + 262);
        CommandRequest.encode(out, command, dst);
        write(out);
        return reply();
    }

    /**
     * The whole handshake in one write, as the agent sends it: greeting offering one method, the credentials if
     * any, and the UDP ASSOCIATE request. Returns the reply, or throws naming the step that failed.
     */
    public CommandReply pipelinedAssociate(byte[] user, byte[] password, SocksAddress dst) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(3 + 3 + 255 + 255 + 6 + 262);
        MethodNegotiation.encodeGreeting(out, user == null ? Socks5.NO_AUTH : Socks5.USERNAME_PASSWORD);
        if (user != null) {
            PasswordAuth.encodeRequest(out, user, password);
            Arrays.fill(password, (byte) 0);
        }
        CommandRequest.encode(out, Command.UDP_ASSOCIATE, dst);
        write(out);
        Integer method;
        while ((method = MethodNegotiation.decodeSelection(buffer)) == null) {
            readMore("the method selection");
        }
        if (method != (user == null ? Socks5.NO_AUTH : Socks5.USERNAME_PASSWORD)) {
            throw new IOException("the server selected method " + method);
        }
        if (user != null) {
            Boolean ok;
            while ((ok = PasswordAuth.decodeResponse(buffer)) == null) {
                readMore("the authentication reply");
            }
            if (!ok) {
                throw new IOException("the server rejected the credentials");
            }
        }
        return reply();
    }

    private CommandReply reply() throws IOException {
        CommandReply reply;
        while ((reply = CommandReply.decode(buffer)) == null) {
            readMore("the reply");
        }
        return reply;
    }

    /**
     * Waits up to {@code millis} for the server to end the association: null while the connection stays open
     * and silent, else what happened ("closed the connection", "sent general SOCKS server failure (REP 0x01)
     * and closed", "reset the connection").
     */
    public String endedWithin(int millis) {
        try {
            if (buffer.hasRemaining()) {
                return describeLate();
            }
            socket.setSoTimeout(Math.max(1, millis));
            buffer.compact();
            int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
            if (n < 0) {
                buffer.flip();
                return "closed the connection";
            }
            buffer.position(buffer.position() + n);
            buffer.flip();
            return describeLate();
        } catch (SocketTimeoutException stillOpen) {
            buffer.flip();
            return null;
        } catch (IOException e) {
            return "ended the connection (" + e.getMessage() + ")";
        }
    }

    private String describeLate() {
        try {
            CommandReply late = CommandReply.decode(buffer.duplicate());
            if (late != null) {
                return "sent " + ReplyCode.describe(late.rep()) + " on the control connection";
            }
        } catch (IOException notAReply) {
            // fall through
        }
        return "sent " + buffer.remaining() + " unexpected byte(s) on the control connection";
    }

    private void write(ByteBuffer out) throws IOException {
        socket.getOutputStream().write(out.array(), 0, out.position());
        socket.getOutputStream().flush();
    }

    private void readMore(String what) throws IOException {
        buffer.compact();
        if (!buffer.hasRemaining()) {
            buffer.flip();
            throw new IOException(what + " is longer than any SOCKS5 message");
        }
        int n;
        try {
            n = in.read(buffer.array(), buffer.position(), buffer.remaining());
        } catch (SocketTimeoutException e) {
            buffer.flip();
            throw new SocketTimeoutException("no answer within " + socket.getSoTimeout() + " ms while waiting for "
                    + what);
        }
        if (n < 0) {
            buffer.flip();
            throw new EOFException("the server closed the connection instead of sending " + what);
        }
        buffer.position(buffer.position() + n);
        buffer.flip();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
