package io.socksudp.agent.association;

import io.socksudp.agent.config.Config;
import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.CommandRequest;
import io.socksudp.agent.socks.MethodNegotiation;
import io.socksudp.agent.socks.PasswordAuth;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.socks.Socks5;
import io.socksudp.agent.socks.SocksAddress;
import io.socksudp.agent.socks.SocksProtocolException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * TCP connections through the proxy (SOCKS5 CONNECT, RFC 1928 section 4), for the agent's own needs: the DNS
 * client asks over TCP when a UDP answer comes back truncated. A class of its own beside {@link ProxyClient} (which
 * opens UDP associations): the same codec, the same configuration, the same pipelined greeting, authentication and
 * request in one write, and the same error wording.
 */
public final class ProxyConnector {

    private final Config config;

    public ProxyConnector(Config config) {
        this.config = config;
    }

    /**
     * A blocking TCP connection to {@code destination} through the proxy, with {@code timeoutMillis} as its read
     * timeout; the connect and handshake take at most that long each. Throws {@link ProxyUnavailableException}
     * naming the proxy and the cause.
     */
    public SocketChannel connect(InetSocketAddress destination, int timeoutMillis) throws ProxyUnavailableException {
        String proxy = config.proxy().toString();
        InetSocketAddress proxyAddress;
        try {
            proxyAddress = config.proxy().resolve();
        } catch (IOException e) {
            throw new ProxyUnavailableException("cannot resolve SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        }
        // A channel, not new Socket(): a plain socket would itself be socksified by the JDK's socksProxyHost.
        SocketChannel channel = null;
        boolean ok = false;
        try {
            channel = SocketChannel.open();
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            socket.connect(proxyAddress, Math.min(timeoutMillis, config.connectTimeoutMillis()));
            socket.setSoTimeout(timeoutMillis);
            handshake(socket, SocksAddress.of(destination), proxy, destination);
            ok = true;
            return channel;
        } catch (SocketTimeoutException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " did not answer within " + timeoutMillis
                    + " ms", e);
        } catch (SocksProtocolException e) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " answered with a malformed reply: "
                    + e.getMessage(), e);
        } catch (ProxyUnavailableException e) {
            throw e;
        } catch (IOException e) {
            throw new ProxyUnavailableException("cannot reach SOCKS5 proxy " + proxy + ": " + e.getMessage(), e);
        } finally {
            if (!ok && channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private void handshake(Socket socket, SocksAddress dst, String proxy, InetSocketAddress destination)
            throws IOException {
        byte[] user = config.username() == null ? null : config.username().getBytes("UTF-8");
        byte[] pass = config.passwordBytes();
        ByteBuffer out = ByteBuffer.allocate(3 + 3 + 255 + 255 + 6 + 262);
        if (user != null) {
            MethodNegotiation.encodeGreeting(out, Socks5.USERNAME_PASSWORD);
            PasswordAuth.encodeRequest(out, user, pass);
            Arrays.fill(pass, (byte) 0);
        } else {
            MethodNegotiation.encodeGreeting(out, Socks5.NO_AUTH);
        }
        CommandRequest.encode(out, Socks5.CONNECT, dst);
        OutputStream os = socket.getOutputStream();
        os.write(out.array(), 0, out.position());
        Arrays.fill(out.array(), (byte) 0);
        os.flush();

        InputStream is = socket.getInputStream();
        ByteBuffer in = ByteBuffer.allocate(512);
        in.flip();
        Integer method;
        while ((method = MethodNegotiation.decodeSelection(in)) == null) {
            in = readMore(is, in, "the method selection");
        }
        if (method == Socks5.NO_ACCEPTABLE_METHODS) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " accepts none of the offered "
                    + "authentication methods (offered: " + (user != null ? "username/password" : "no authentication")
                    + (user != null ? ")" : "; configure socksudp.username and socksudp.password)"));
        }
        if (method != (user != null ? Socks5.USERNAME_PASSWORD : Socks5.NO_AUTH)) {
            throw new SocksProtocolException("proxy selected method " + method + ", which was not offered");
        }
        if (user != null) {
            Boolean accepted;
            while ((accepted = PasswordAuth.decodeResponse(in)) == null) {
                in = readMore(is, in, "the authentication reply");
            }
            if (!accepted) {
                throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " rejected the username and password"
                        + " of user '" + config.username() + "' (RFC 1929 authentication failed)");
            }
        }
        CommandReply reply;
        while ((reply = CommandReply.decode(in)) == null) {
            in = readMore(is, in, "the CONNECT reply");
        }
        if (!reply.isSuccess()) {
            throw new ProxyUnavailableException("SOCKS5 proxy " + proxy + " refused CONNECT to " + destination + ": "
                    + ReplyCode.describe(reply.rep()));
        }
        if (in.hasRemaining()) {
            throw new SocksProtocolException("the proxy sent " + in.remaining() + " byte(s) after its CONNECT reply,"
                    + " before the destination could speak");
        }
    }

    private static ByteBuffer readMore(InputStream is, ByteBuffer in, String what) throws IOException {
        in.compact();
        if (!in.hasRemaining()) {
            throw new SocksProtocolException(what + " is longer than any valid SOCKS5 message");
        }
        int n = is.read(in.array(), in.arrayOffset() + in.position(), in.remaining());
        if (n < 0) {
            throw new EOFException("the proxy closed the connection before sending " + what);
        }
        in.position(in.position() + n);
        in.flip();
        return in;
    }
}
