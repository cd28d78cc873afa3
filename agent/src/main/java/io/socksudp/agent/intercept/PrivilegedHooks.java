package io.socksudp.agent.intercept;

import io.socksudp.agent.bootstrap.ChannelTunnel;
import io.socksudp.agent.bootstrap.DatagramHooks;
import io.socksudp.agent.bootstrap.PacketTunnel;
import io.socksudp.agent.bootstrap.UdpTunnel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

/**
 * The hooks under a SecurityManager: each call runs in {@code doPrivileged}, so the agent's own work behind an
 * application's datagram call (opening the control connection to the proxy, starting its threads, reflection on
 * the JDK's socket classes, asking the Authenticator) is checked against the agent jar's permissions, not the
 * application's; the application's own checks (the JDK's, on the destination it names) run before the hook, as
 * without the agent. Without a SecurityManager (or after JDK 23, where none can be installed) each call costs one
 * read of {@link System#getSecurityManager()} and allocates nothing; with one, it allocates one small action object.
 * Checked at each call: an application may install its SecurityManager in main, after the agent is active.
 */
public final class PrivilegedHooks implements DatagramHooks {

    private final DatagramHooks hooks;

    public PrivilegedHooks(DatagramHooks hooks) {
        this.hooks = hooks;
    }


    private static <T> T io(PrivilegedExceptionAction<T> action) throws IOException {
        try {
            return AccessController.doPrivileged(action);
        } catch (PrivilegedActionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public ChannelTunnel sendTunnel(final Object channel, final InetSocketAddress target) throws IOException {
        if (System.getSecurityManager() == null) {
            return hooks.sendTunnel(channel, target);
        }
        return io(new PrivilegedExceptionAction<ChannelTunnel>() {
            @Override
            public ChannelTunnel run() throws IOException {
                return hooks.sendTunnel(channel, target);
            }
        });
    }

    @Override
    public ChannelTunnel sendTunnelForName(final Object channel, final SocketAddress target) throws IOException {
        if (System.getSecurityManager() == null) {
            return hooks.sendTunnelForName(channel, target);
        }
        return io(new PrivilegedExceptionAction<ChannelTunnel>() {
            @Override
            public ChannelTunnel run() throws IOException {
                return hooks.sendTunnelForName(channel, target);
            }
        });
    }

    @Override
    public ChannelTunnel peerTunnel(final Object channel) {
        if (System.getSecurityManager() == null) {
            return hooks.peerTunnel(channel);
        }
        return AccessController.doPrivileged(new PrivilegedAction<ChannelTunnel>() {
            @Override
            public ChannelTunnel run() {
                return hooks.peerTunnel(channel);
            }
        });
    }

    @Override
    public ChannelTunnel peerSendTunnel(final Object channel) throws IOException {
        if (System.getSecurityManager() == null) {
            return hooks.peerSendTunnel(channel);
        }
        return io(new PrivilegedExceptionAction<ChannelTunnel>() {
            @Override
            public ChannelTunnel run() throws IOException {
                return hooks.peerSendTunnel(channel);
            }
        });
    }

    @Override
    public ChannelTunnel receiveTunnel(final Object channel) {
        if (System.getSecurityManager() == null) {
            return hooks.receiveTunnel(channel);
        }
        return AccessController.doPrivileged(new PrivilegedAction<ChannelTunnel>() {
            @Override
            public ChannelTunnel run() {
                return hooks.receiveTunnel(channel);
            }
        });
    }

    @Override
    public InetSocketAddress sender(final Object channel) {
        if (System.getSecurityManager() == null) {
            return hooks.sender(channel);
        }
        return AccessController.doPrivileged(new PrivilegedAction<InetSocketAddress>() {
            @Override
            public InetSocketAddress run() {
                return hooks.sender(channel);
            }
        });
    }

    @Override
    public void timedReceive(final Object channel, final long deadlineNanos) {
        if (System.getSecurityManager() == null) {
            hooks.timedReceive(channel, deadlineNanos);
            return;
        }
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                hooks.timedReceive(channel, deadlineNanos);
                return null;
            }
        });
    }

    @Override
    public UdpTunnel connectTunnel(final Object channel, final SocketAddress peer) throws IOException {
        if (System.getSecurityManager() == null) {
            return hooks.connectTunnel(channel, peer);
        }
        return io(new PrivilegedExceptionAction<UdpTunnel>() {
            @Override
            public UdpTunnel run() throws IOException {
                return hooks.connectTunnel(channel, peer);
            }
        });
    }

    @Override
    public void disconnected(final Object channel) {
        if (System.getSecurityManager() == null) {
            hooks.disconnected(channel);
            return;
        }
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                hooks.disconnected(channel);
                return null;
            }
        });
    }

    @Override
    public void closed(final Object channel) {
        if (System.getSecurityManager() == null) {
            hooks.closed(channel);
            return;
        }
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                hooks.closed(channel);
                return null;
            }
        });
    }

    @Override
    public PacketTunnel packetTunnel(final Object impl) throws IOException {
        if (System.getSecurityManager() == null) {
            return hooks.packetTunnel(impl);
        }
        return io(new PrivilegedExceptionAction<PacketTunnel>() {
            @Override
            public PacketTunnel run() throws IOException {
                return hooks.packetTunnel(impl);
            }
        });
    }
}
