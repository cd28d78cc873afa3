package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.association.PendingAssociation;
import io.socksudp.agent.bootstrap.NettyDispatch;
import io.socksudp.agent.bootstrap.NettyHooks;
import io.socksudp.agent.config.LazyLogger;
import io.socksudp.agent.intercept.TunnelHooks;
import io.socksudp.agent.intercept.NativeFrontEnd;
import io.socksudp.agent.intercept.SocketAccess;
import io.socksudp.agent.intercept.WeakIdentityMap;
import org.slf4j.Logger;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * Tunnels Netty's epoll and io_uring datagram channels ({@link NettyLayout#TUNNELLED}) through the socket's SOCKS5
 * association, and guards or refuses the other layouts ({@link NettyGuard}).
 *
 * <p>Sending: {@code filterOutboundMessage} sees every message written, on the event loop, before Netty queues it,
 * so whichever way Netty later sends it ({@code sendto}, {@code sendmmsg} for a multi-message flush, UDP GSO for a
 * SegmentedDatagramPacket; io_uring's {@code IORING_OP_SENDMSG} entries, one per message of a flush) it is already
 * the framed datagram: a direct buffer of the channel's allocator (reused with its packet, {@link FramePool})
 * holding the SOCKS header and the payload (a header per segment for a
 * segmented packet, the segment size grown by it), addressed to the relay (on epoll, a plain buffer on a socket
 * connected to the relay; io_uring names {@code remoteAddress()}, the peer, for a plain buffer, so there it is
 * always addressed); the application's message is released, as Netty releases what it replaces. Receiving: every
 * packet Netty builds ({@code recvmsg}, UDP GRO segments, {@code connectedRead}; io_uring's {@code recvmsg}
 * completions) passes through {@link #fireChannelRead}, which takes the header off (the payload moved down to the
 * buffer's first readable index, where Netty's own packets start) and fires a packet whose sender is the peer; what
 * is not from the relay (nor a bypassed source) is dropped and counted. Epoll's {@code recvmsg} ({@link
 * #nativePacket}) and io_uring's {@code MsgHdrMemory} ({@link #receivedSender}) vet a datagram from the relay before
 * its packet is built, so that packet is built with the peer and no second one is needed.
 * {@code recvmmsg} is turned off for a tunnelled channel ({@link #slotSize}): its slots of {@code
 * MAX_DATAGRAM_PAYLOAD_SIZE} bytes would cut a maximal payload short by its header (io_uring's linked {@code recvmsg}
 * entries into such slots likewise). Connecting: the OS socket connects to the relay (epoll's {@code doConnect}, or
 * io_uring's asynchronous {@code IORING_OP_CONNECT}, given the relay) and Netty's record of the remote address is set
 * to the peer after it (epoll: the field, once {@code doConnect} returns; io_uring: what {@code computeRemote} stores,
 * before the connect promise is notified).
 */
final class NettyTunnels implements NettyHooks {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");
    private static final String PIPELINE_SUFFIX = "channel.ChannelPipeline";

    private final NettyGuard guard;
    private final NettyStrategy.Host host;
    private volatile TunnelHooks hooks;
    /** The configs of channels with a tunnel: their read loop does not use recvmmsg. */
    private final WeakIdentityMap<Object, Object> tunnelledConfigs = new WeakIdentityMap<Object, Object>();
    private final Access access = new Access();
    /** The read buffers of tunnelled channels, with room for the header. */
    private final ReadBuffers readBuffers = new ReadBuffers();
    private volatile boolean receiveFailureLogged;

    /** Per channel class: its Netty copy, or the failure to find it (then nothing of that class is tunnelled). */
    private final ClassValue<Object> channelApis = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            NettyTransport transport = NettyTransport.ofInternalName(type.getName());
            if (transport == null) {
                return new ClassNotFoundException(type.getName() + " is not one of Netty's native datagram channels");
            }
            try {
                return new ChannelApi(NettyApi.of(type, transport.channelSuffix()), type, transport);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };
    /** Per pipeline class: its Netty copy, or null when it cannot be told (its packets are fired as they are). */
    private final ClassValue<NettyApi> pipelineApis = new ClassValue<NettyApi>() {
        @Override
        protected NettyApi computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (i.getName().endsWith(PIPELINE_SUFFIX)) {
                        try {
                            return NettyApi.of(i, PIPELINE_SUFFIX);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            return null;
                        }
                    }
                }
            }
            return null;
        }
    };
    /** Per SegmentedDatagramPacket class: its (ByteBuf, int, InetSocketAddress) constructor. */
    private final ClassValue<MethodHandle> segmentedConstructors = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return NettyApi.segmentedConstructor(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    NettyTunnels(NettyGuard guard, NettyStrategy.Host host) {
        this.guard = guard;
        this.host = host;
    }

    /** Puts the hooks behind {@link NettyDispatch} (only this class links the bridge's types; see NettyGuard). */
    static void install(NettyGuard guard, NettyStrategy.Host host) {
        NettyDispatch.install(new NettyTunnels(guard, host));
    }

    @Override
    public void refuseChannel(String channelClass) throws IOException {
        guard.refuseChannel(channelClass);
    }

    @Override
    public void checkWrite(Object channel, Object msg) throws IOException {
        guard.checkWrite(channel, msg);
    }

    @Override
    public void checkConnect(Object channel, Object remote) throws IOException {
        guard.checkConnect(channel, remote);
    }

    @Override
    public Object outbound(Object channel, Object msg) throws IOException {
        try {
            return frame(channel, msg);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            // Fail closed: a message the agent could not frame must not go out as it is.
            LOG.error("socksudp internal error; the datagram was not sent", t);
            throw new IOException("socksudp internal error; the datagram was not sent: " + t, t);
        }
    }

    private Object frame(Object channel, Object msg) throws Throwable {
        ChannelApi ch = channelApiOf(channel.getClass());
        NettyApi api = ch.api;
        Object target;
        Object content;
        boolean envelope = api.envelope.isInstance(msg);
        if (envelope) {
            content = (Object) api.content.invokeExact(msg);
            if (!api.byteBuf.isInstance(content)) {
                return msg; // Netty refuses it
            }
            target = (Object) api.recipient.invokeExact(msg);
        } else if (api.byteBuf.isInstance(msg)) {
            content = msg;
            target = null;
        } else {
            return msg; // Netty refuses it
        }
        TunnelHooks all = hooks();
        NativeFrontEnd t = all.existingNativeTunnel(channel);
        if (target == null) {
            InetSocketAddress peer = t == null ? null : t.peer();
            if (peer == null) {
                // Connected around the tunnel: to a direct peer (connectTarget decided), or before the agent was
                // attached, when the OS socket talks to the peer itself (fail closed), or not connected at all.
                Object remote = (Object) api.remoteAddress.invokeExact(channel);
                if (remote instanceof InetSocketAddress && !((InetSocketAddress) remote).isUnresolved()) {
                    if (t == null) {
                        t = newTunnel(all, channel, api);
                    }
                    if (!t.isDirect((InetSocketAddress) remote)) {
                        throw new IOException("socksudp: this channel was connected to " + remote + " before the"
                                + " agent was attached, so its datagrams would bypass the proxy; the datagram was not"
                                + " sent (disconnect and connect the channel again to send through the proxy)");
                    }
                }
                return msg;
            }
            target = peer;
        }
        if (!(target instanceof InetSocketAddress) || ((InetSocketAddress) target).isUnresolved()) {
            return msg; // Netty refuses an unresolved recipient
        }
        if (t == null) {
            t = newTunnel(all, channel, api);
        }
        InetSocketAddress destination = (InetSocketAddress) target;
        if (t.isDirect(destination)) {
            return msg;
        }
        InetSocketAddress relay;
        boolean hold = false;
        if (ch.transport == NettyTransport.EPOLL) {
            relay = t.relayIfReady(channel); // an event loop never waits for the proxy
            if (relay == null) {
                hold = true; // framed now, addressed to the relay once there is one (see holdWrites)
                relay = HELD;
            }
        } else {
            relay = t.relayForSend(channel);
        }
        byte[] header = t.header(destination);
        int from = (int) api.readerIndex.invokeExact(content);
        int length = (int) api.readableBytes.invokeExact(content);
        Object allocator = (Object) api.alloc.invokeExact(channel);
        Object out;
        boolean addressed = hold || envelope || t.peer() == null || ch.transport.namesRemoteForBareBuffers();
        Object pooled = null;
        if (envelope && api.segmented != null && api.segmented.isInstance(msg)) {
            out = frameSegments(api, msg, content, from, length, header, relay, allocator);
        } else if (addressed && !hold
                && (pooled = stateOf(t).frames.take(api, allocator, relay, header.length + length)) != null) {
            Object framed = (Object) api.content.invokeExact(pooled);
            try {
                Object ignored = (Object) api.writeHeader.invokeExact(framed, (Object) header);
                copy(api, content, from, framed, length);
            } catch (Throwable e) {
                FramePool.untaken(api, pooled);
                throw e;
            }
            out = pooled;
        } else {
            Object framed = (Object) api.directBuffer.invokeExact(allocator, header.length + length);
            try {
                Object ignored = (Object) api.writeHeader.invokeExact(framed, (Object) header);
                copy(api, content, from, framed, length);
                out = addressed ? (Object) api.newPacket.invokeExact(framed, (Object) relay) : framed;
            } catch (Throwable e) {
                boolean released = (boolean) api.release.invokeExact(framed);
                throw e;
            }
        }
        boolean released = (boolean) api.release.invokeExact(msg);
        if (hold) {
            hold(channel, t);
        }
        return out;
    }

    /**
     * Where a datagram framed while its association is being set up is addressed, until {@link #holdWrites} readdresses
     * it to the relay (recognised by identity): {@code 0.0.0.0:0}, which the kernel refuses to send to ({@code EINVAL}),
     * so a held datagram that reached the socket by any path Netty might add would fail, never leave.
     */
    private static final InetSocketAddress HELD = new InetSocketAddress(anyAddress(), 0);

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A datagram was framed while the association is being set up (addressed to {@link #HELD}): it goes into Netty's
     * outbound buffer so, and the channel's {@code doWrite} sends nothing while one is there ({@link #holdWrites});
     * the set-up's end runs a flush on the channel's event loop.
     */
    private void hold(Object channel, NativeFrontEnd t) {
        ChannelState state = stateOf(t);
        HeldWrites held = state.held;
        if (held == null) {
            held = new HeldWrites();
            state.held = held;
        }
        if (!held.counted) {
            held.counted = true;
            synchronized (this) {
                holding++;
            }
        }
        held.count++;
        PendingAssociation setup = t.pendingSetUp();
        if (setup == null || setup != held.waitingFor) {
            held.waitingFor = setup;
            HeldWrites.Flush flush = new HeldWrites.Flush(channel);
            if (setup != null) {
                setup.whenDone(flush);
            } else {
                flush.run(); // it ended meanwhile
            }
        }
    }

    /** How many channels hold writes: while none does, a flush costs one volatile read more. */
    private volatile int holding;

    @Override
    public boolean holdWrites(Object channel, Object buffer) {
        if (holding == 0) {
            return false;
        }
        TunnelHooks all = hooks;
        NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
        ChannelState state = t == null ? null : (ChannelState) t.strategyState();
        HeldWrites held = state == null ? null : state.held;
        if (held == null || held.count == 0) {
            return false;
        }
        try {
            PendingAssociation setup = held.waitingFor;
            if (setup != null) {
                if (!setup.isDone()) {
                    return true; // its end runs a flush
                }
                held.waitingFor = null;
                try {
                    setup.poll();
                } catch (IOException e) {
                    failHeld(channel, buffer, held, e); // as each write would have failed had it waited
                    return false;
                }
            }
            InetSocketAddress relay;
            try {
                relay = t.relayIfReady(channel);
            } catch (IOException e) {
                failHeld(channel, buffer, held, e);
                return false;
            }
            if (relay == null) { // lost again meanwhile: wait for the new set-up
                PendingAssociation again = t.pendingSetUp();
                held.waitingFor = again;
                HeldWrites.Flush flush = new HeldWrites.Flush(channel);
                if (again != null) {
                    again.whenDone(flush);
                } else {
                    flush.run();
                }
                return true;
            }
            readdress(channel, buffer, held, relay);
            return false;
        } catch (Throwable e) {
            // Fail closed: a held datagram stays unsent (and addressed to 0.0.0.0:0) until the channel closes.
            LOG.error("socksudp internal error; writes held for the association stay unsent", e);
            return true;
        } finally {
            if (held.count == 0) {
                forget(held);
            }
        }
    }

    /** Whether {@code msg} is a datagram framed while the association was being set up (see {@link #HELD}). */
    private static boolean isHeld(NettyApi api, Object msg) throws Throwable {
        return api.envelope.isInstance(msg) && (Object) api.recipient.invokeExact(msg) == HELD;
    }

    /** Readdresses each held datagram in the buffer to {@code relay}, in place (the buffer keeps their order). */
    private void readdress(Object channel, Object buffer, HeldWrites held, InetSocketAddress relay) throws Throwable {
        NettyApi api = channelApiOf(channel.getClass()).api;
        OutboundEntries entries = OutboundEntries.of(buffer.getClass());
        for (Object e = entries.first(buffer); e != null; e = entries.next.get(e)) {
            Object msg = entries.msg.get(e);
            if (!isHeld(api, msg)) {
                continue;
            }
            Object content = (Object) api.content.invokeExact(msg);
            Object readdressed;
            if (api.segmented != null && api.segmented.isInstance(msg)) {
                MethodHandle constructor = segmentedConstructors.get(msg.getClass());
                readdressed = (Object) constructor.invokeExact(content, (int) api.segmentSize.invokeExact(msg),
                        (Object) relay);
            } else {
                readdressed = (Object) api.newPacket.invokeExact(content, (Object) relay);
            }
            entries.msg.set(e, readdressed); // the content is the new packet's now
        }
        held.count = 0; // what was not found had left the buffer (a cancelled write, released by Netty)
    }

    /**
     * Fails the flushed writes up to the last held one with the set-up's failure, as each would have failed had it
     * waited (a write framed before them, for the association that was lost, fails with them); held writes not
     * flushed yet stay held, for a new set-up at their flush.
     */
    private void failHeld(Object channel, Object buffer, HeldWrites held, IOException failure) throws Throwable {
        NettyApi api = channelApiOf(channel.getClass()).api;
        OutboundEntries entries = OutboundEntries.of(buffer.getClass());
        Object unflushed = entries.unflushedEntry.get(buffer);
        int upTo = 0;
        int at = 0;
        int remaining = 0;
        boolean flushed = entries.flushedEntry.get(buffer) != null;
        for (Object e = entries.first(buffer); e != null; e = entries.next.get(e)) {
            if (e == unflushed) {
                flushed = false;
            }
            at++;
            if (isHeld(api, entries.msg.get(e))) {
                if (flushed) {
                    upTo = at;
                } else {
                    remaining++;
                }
            }
        }
        for (int i = 0; i < upTo && entries.flushedEntry.get(buffer) != null; i++) {
            entries.remove.invoke(buffer, failure); // fails its promise, releases the message
        }
        held.count = remaining;
    }

    private void forget(HeldWrites held) {
        held.count = 0;
        held.waitingFor = null;
        if (held.counted) {
            held.counted = false;
            synchronized (this) {
                holding--;
            }
        }
    }

    /** UDP GSO: a header before each segment, the segment size grown by it; the packet addressed to the relay. */
    private Object frameSegments(NettyApi api, Object msg, Object content, int from, int length, byte[] header,
                                 InetSocketAddress relay, Object allocator) throws Throwable {
        MethodHandle constructor = segmentedConstructors.get(msg.getClass());
        if (constructor == null) {
            throw new IOException("socksudp cannot frame a " + msg.getClass().getName() + " (no constructor"
                    + " (ByteBuf, int, InetSocketAddress)); the datagram was not sent");
        }
        int segment = (int) api.segmentSize.invokeExact(msg);
        int segments = segment <= 0 ? 1 : (length + segment - 1) / segment;
        Object framed = (Object) api.directBuffer.invokeExact(allocator, length + segments * header.length);
        try {
            for (int at = 0; at < length || at == 0; at += segment) {
                int n = segment <= 0 ? length : Math.min(segment, length - at);
                Object ignored = (Object) api.writeHeader.invokeExact(framed, (Object) header);
                copy(api, content, from + at, framed, n);
                if (segment <= 0) {
                    break;
                }
            }
            return (Object) constructor.invokeExact(framed, segment + header.length, (Object) relay);
        } catch (Throwable e) {
            boolean released = (boolean) api.release.invokeExact(framed);
            throw e;
        }
    }

    /** Appends {@code length} bytes of {@code content} from {@code from} to {@code framed} (see NettyApi.copyInto). */
    private static void copy(NettyApi api, Object content, int from, Object framed, int length) throws Throwable {
        int at = (int) api.writerIndex.invokeExact(framed);
        Object ignored = (Object) api.copyInto.invokeExact(content, from, framed, at, length);
        ignored = (Object) api.setWriterIndex.invokeExact(framed, at + length);
    }

    @Override
    public Object connectTarget(Object channel, Object remote) throws IOException {
        if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).isUnresolved()
                || NettyTransport.ofInternalName(channel.getClass().getName()) == null) {
            return remote; // Netty refuses it as usual; or an io_uring stream channel, whose connect is TCP's
        }
        try {
            TunnelHooks all = hooks();
            NativeFrontEnd t = all.existingNativeTunnel(channel);
            if (t == null) {
                t = newTunnel(all, channel, channelApiOf(channel.getClass()).api);
            }
            InetSocketAddress relay = t.connectTarget(channel, (InetSocketAddress) remote);
            return relay == null ? remote : relay;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            LOG.error("socksudp internal error; the connect was refused", e);
            throw new IOException("socksudp internal error; the connect was refused: " + e, e);
        }
    }

    @Override
    public int connectDone(Object channel, int result) throws IOException {
        TunnelHooks all = hooks;
        NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
        if (t == null) {
            return result;
        }
        InetSocketAddress peer = t.connectDone(result != 0);
        if (peer != null) {
            try {
                // Netty recorded the relay (what the OS socket is connected to); the application's view is the peer.
                channelApiOf(channel.getClass()).remote.set(channel, asConnectedRemote(peer));
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IOException("socksudp cannot record the peer of " + channel.getClass().getName() + " ("
                        + e + "); the connect was refused", e);
            }
        }
        return result;
    }

    @Override
    public Object connectedRemote(Object channel, Object remote) {
        TunnelHooks all = hooks;
        NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
        InetSocketAddress peer = t == null ? null : t.connectDone(true); // computeRemote runs on success only
        return peer != null ? asConnectedRemote(peer) : remote; // the application's view; the OS socket's is the relay
    }

    /**
     * The peer as Netty itself records a connected channel's remote address ({@code
     * UnixChannelUtil.computeRemoteAddr}): the host string the application connected with beside the address (so
     * {@code remoteAddress()} prints as without the agent, e.g. {@code 127.0.0.1/127.0.0.1:53}), no look-up.
     */
    private static InetSocketAddress asConnectedRemote(InetSocketAddress peer) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(peer.getHostString(), peer.getAddress().getAddress()),
                    peer.getPort());
        } catch (UnknownHostException | RuntimeException e) {
            return peer; // as Netty falls back
        }
    }

    @Override
    public void disconnecting(Object channel) {
        TunnelHooks all = hooks;
        NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
        if (t != null) {
            t.disconnected();
        }
    }

    @Override
    public void closing(Object channel) {
        TunnelHooks all = hooks;
        NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
        ChannelState state = t == null ? null : (ChannelState) t.strategyState();
        if (state != null) {
            if (state.held != null) {
                forget(state.held); // Netty fails and releases what its buffer holds
            }
            try {
                state.frames.release(channelApiOf(channel.getClass()).api); // Netty's references free the rest
            } catch (IOException e) {
                // no API, so no frame was ever pooled
            }
        }
        if (all != null) {
            all.closed(channel);
        }
    }

    @Override
    public Object fireChannelRead(Object pipeline, Object msg) {
        NettyApi api = pipelineApis.get(pipeline.getClass());
        Object delivered = msg;
        if (api != null) {
            try {
                delivered = received(api, pipeline, msg);
            } catch (Throwable e) {
                delivered = null; // ours failed: drop it (released) rather than deliver header bytes
                release(api, msg);
                logReceiveFailure(e);
            }
        }
        if (delivered != null && api != null) {
            delivered = cutToApplicationBuffer(api, pipeline, delivered);
        }
        if (delivered != null) {
            try {
                Object ignored = (Object) (api != null ? api.fireChannelRead : FALLBACK_FIRE.get(pipeline.getClass()))
                        .invokeExact(pipeline, delivered);
            } catch (Throwable e) {
                throw NettyTunnels.<RuntimeException>sneaky(e); // the pipeline's own, as Netty would have thrown it
            }
        }
        return pipeline;
    }

    private void logReceiveFailure(Throwable e) {
        if (!receiveFailureLogged) {
            receiveFailureLogged = true;
            LOG.warn("socksudp could not unwrap a datagram of Netty's native transport ({})", e.toString());
        }
    }

    /** The packet to fire for {@code msg}: as it is, unwrapped, or null when it is dropped (released, counted). */
    private Object received(NettyApi api, Object pipeline, Object msg) throws Throwable {
        TunnelHooks all = hooks;
        if (all == null || !api.datagramPacket.isInstance(msg)) {
            return msg;
        }
        Object channel = (Object) api.pipelineChannel.invokeExact(pipeline);
        NativeFrontEnd t = all.existingNativeTunnel(channel);
        if (t == null || !t.socksified()) {
            return msg; // nothing sent through the proxy yet: the socket is the application's own
        }
        Object sender = (Object) api.sender.invokeExact(msg);
        ChannelState state = stateOf(t);
        Object vetted = state.vetted;
        if (vetted != null && (vetted == msg || vetted == sender)) { // a read path vetted it already
            state.vetted = null;
            if (state.vettedAccepted) {
                return msg;
            }
            release(api, msg);
            return null;
        }
        InetSocketAddress relay = t.currentRelay();
        InetSocketAddress peer = t.peer();
        if (peer == null && (relay == null || !relay.equals(sender))) {
            // Unconnected: the sender is the datagram's real source. Connected: the OS socket hears only the relay.
            if (sender instanceof InetSocketAddress && t.acceptsDirectFrom((InetSocketAddress) sender)) {
                return msg;
            }
            release(api, msg);
            return null;
        }
        Object content = (Object) api.content.invokeExact(msg);
        int from = (int) api.readerIndex.invokeExact(content);
        int copied = Math.min((int) api.readableBytes.invokeExact(content), NativeFrontEnd.MAX_HEADER);
        Object ignored = (Object) api.getBytes.invokeExact(content, from, (Object) t.headerBytes(), 0, copied);
        if (!t.accept(copied, relay != null ? relay : (InetSocketAddress) sender)) {
            release(api, msg);
            return null;
        }
        moveDownPayload(api, content, from, t.headerLength());
        if (peer != null && peer.equals(sender)) {
            return msg; // a connected read: Netty named remoteAddress(), the peer, as it does without the agent
        }
        return (Object) api.newPacketFrom.invokeExact(content, (Object) api.recipient.invokeExact(msg),
                (Object) t.sender());
    }

    /**
     * Stands for {@code nativePacket.newDatagramPacket(buffer, local)} in a tunnelled epoll channel's reads ({@code
     * recvmsg}): a datagram from the relay is vetted here, before Netty turns its native source (the relay) into an
     * address, and becomes a packet whose content starts after the SOCKS header and whose sender is the peer (cached:
     * no allocation while it stays the same), so a read allocates no more than without the agent. Anything else
     * (another source, UDP_GRO segments, a packet with its own recipient, a channel not tunnelled) is Netty's own
     * packet, for {@link #fireChannelRead} to judge as before.
     */
    @Override
    public Object nativePacket(Object channel, Object nativePacket, Object buffer, Object local) throws Exception {
        NativePackets np = NativePackets.of(nativePacket.getClass());
        try {
            TunnelHooks all = hooks;
            NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
            if (t != null && np.fast && t.socksified()) {
                Object packet = null;
                try {
                    packet = unwrapNative(np, t, channel, nativePacket, buffer, local);
                } catch (Throwable e) {
                    logReceiveFailure(e); // Netty's own packet then, vetted where it is fired
                }
                if (packet != null) {
                    return packet;
                }
            }
            return (Object) np.newDatagramPacket.invokeExact(nativePacket, buffer, local);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stands for the sender with which io_uring's {@code MsgHdrMemory} is about to build a received packet around
     * {@code content}, on {@code channel} (4.2's {@code get}, the incubator's {@code read}): a datagram from the relay
     * is vetted here, its header skipped in {@code content} and the peer (cached: no allocation while it stays the
     * same) returned, so Netty's own packet is the one delivered; anything else is left to {@link #fireChannelRead}.
     */
    @Override
    public Object receivedSender(Object sender, Object content, Object channel) {
        try {
            TunnelHooks all = hooks;
            NativeFrontEnd t = all == null ? null : all.existingNativeTunnel(channel);
            InetSocketAddress relay = t == null || !t.socksified() ? null : t.currentRelay();
            if (relay == null || !relay.equals(sender)) {
                return sender;
            }
            NettyApi api = channelApiOf(channel.getClass()).api;
            int from = (int) api.readerIndex.invokeExact(content);
            int copied = Math.min((int) api.readableBytes.invokeExact(content), NativeFrontEnd.MAX_HEADER);
            Object ignored = (Object) api.getBytes.invokeExact(content, from, (Object) t.headerBytes(), 0, copied);
            ChannelState state = stateOf(t);
            if (!t.accept(copied, relay)) {
                state.vetted = sender; // counted: released where it is fired
                state.vettedAccepted = false;
                return sender;
            }
            moveDownPayload(api, content, from, t.headerLength());
            InetSocketAddress peer = t.sender();
            state.vetted = peer;
            state.vettedAccepted = true;
            return peer;
        } catch (Throwable e) {
            logReceiveFailure(e);
            return sender; // vetted again where it is fired, which drops it if it fails there too
        }
    }

    /** The packet for a datagram from the relay (unwrapped, or Netty's own when the vet dropped it), else null. */
    private Object unwrapNative(NativePackets np, NativeFrontEnd t, Object channel, Object nativePacket,
                                Object buffer, Object local) throws Throwable {
        InetSocketAddress relay = t.currentRelay();
        if (relay == null || (int) np.segmentSize.invokeExact(nativePacket) > 0
                || (int) np.recipientAddrLen.invokeExact(nativePacket) != 0) {
            return null;
        }
        ChannelState state = stateOf(t);
        if (!state.isRelay(relay, (byte[]) (Object) np.senderAddr.invokeExact(nativePacket),
                (int) np.senderAddrLen.invokeExact(nativePacket), (int) np.senderPort.invokeExact(nativePacket))) {
            return null;
        }
        NettyApi api = channelApiOf(channel.getClass()).api;
        int count = (int) np.count.invokeExact(nativePacket);
        int from = (int) api.readerIndex.invokeExact(buffer);
        int copied = Math.min(count, NativeFrontEnd.MAX_HEADER);
        Object ignored = (Object) api.getBytes.invokeExact(buffer, from, (Object) t.headerBytes(), 0, copied);
        Object packet;
        boolean accepted = t.accept(copied, relay);
        if (accepted) {
            int header = t.headerLength();
            Object slice = (Object) api.retainedSlice.invokeExact(buffer, from + header, count - header);
            try {
                packet = (Object) api.newPacketFrom.invokeExact(slice, local, (Object) t.sender());
            } catch (Throwable e) {
                release(api, slice);
                throw e;
            }
        } else {
            packet = (Object) np.newDatagramPacket.invokeExact(nativePacket, buffer, local); // counted: not fired
        }
        state.vetted = packet;
        state.vettedAccepted = accepted;
        return packet;
    }

    /**
     * The payload moved down to where the datagram began (the header's place), rather than the reader index past the
     * header: Netty's own packets start at their buffer's index 0 and its decoders count on it (the DNS codec follows
     * a name's compression pointers as absolute indices).
     */
    private static void moveDownPayload(NettyApi api, Object content, int from, int header) throws Throwable {
        int end = (int) api.writerIndex.invokeExact(content);
        // The source's getBytes into its own buffer: a copy between memory addresses (Unsafe's, overlap-safe), where
        // setBytes from a buffer takes java.nio views of both sides on 4.2's adaptive buffers (~130 bytes a datagram).
        Object ignored = (Object) api.copyInto.invokeExact(content, from + header, content, from, end - from - header);
        ignored = (Object) api.setWriterIndex.invokeExact(content, end - header);
    }

    private static void release(NettyApi api, Object msg) {
        try {
            boolean released = (boolean) api.release.invokeExact(msg);
        } catch (Throwable e) {
            // already released, or not reference counted: nothing leaks either way
        }
    }

    @Override
    public Object readBuffer(Object handle, Object allocator, Object channel) {
        try {
            ChannelApi c = channelApiOf(channel.getClass());
            // io_uring submits its reads ahead, before the channel's first send tells whether it is tunnelled.
            boolean enlarge = c.transport.readsInReadLoop()
                    || tunnelledConfigs.get((Object) c.api.config.invokeExact(channel)) != null;
            return readBuffers.allocate(handle, allocator, channel, enlarge);
        } catch (Throwable e) {
            throw NettyTunnels.<RuntimeException>sneaky(e); // the read fails as Netty's own allocation would
        }
    }

    /** {@code packet} cut to the application's buffer size, as the kernel would have cut it (see ReadBuffers). */
    private Object cutToApplicationBuffer(NettyApi api, Object pipeline, Object packet) {
        try {
            return readBuffers.cut((Object) api.pipelineChannel.invokeExact(pipeline), packet);
        } catch (Throwable e) {
            release(api, packet); // a datagram longer than the application's buffer must not reach it whole
            return null;
        }
    }

    @Override
    public int slotSize(Object config, int size) {
        return size != 0 && tunnelledConfigs.get(config) != null ? 0 : size;
    }

    private NativeFrontEnd newTunnel(TunnelHooks all, Object channel, NettyApi api) throws Throwable {
        tunnelledConfigs.putIfAbsent((Object) api.config.invokeExact(channel), Boolean.TRUE);
        NativeFrontEnd t = all.nativeTunnel(channel, access, (boolean) api.isOpen.invokeExact(channel));
        stateOf(t);
        return t;
    }

    /** The channel's state beside its tunnel, made at its first use (event loop only). */
    private static ChannelState stateOf(NativeFrontEnd t) {
        ChannelState state = (ChannelState) t.strategyState();
        if (state == null) {
            state = new ChannelState();
            t.strategyState(state);
        }
        return state;
    }

    private TunnelHooks hooks() throws IOException {
        TunnelHooks t = hooks;
        if (t == null) {
            synchronized (this) {
                t = hooks;
                if (t == null) {
                    t = host.hooks(); // the agent's one set of hooks, activated now if no JDK datagram class was
                    hooks = t;
                }
            }
        }
        return t;
    }

    private ChannelApi channelApiOf(Class<?> channelClass) throws IOException {
        Object api = channelApis.get(channelClass);
        if (api instanceof ChannelApi) {
            return (ChannelApi) api;
        }
        throw new IOException("socksudp cannot reach Netty's API beside " + channelClass.getName() + " (" + api
                + "); the datagram was not sent");
    }

    /** Fires as Netty would, for a pipeline of a copy whose API could not be found (no datagram is unwrapped then). */
    private static final ClassValue<MethodHandle> FALLBACK_FIRE = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                Method m = NettyApi.method(type, "fireChannelRead", Object.class);
                MethodHandle h = java.lang.invoke.MethodHandles.publicLookup().unreflect(m);
                return h.asType(h.type().erase());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** The channel's API and the two internals the connect path needs, per channel class. */
    private static final class ChannelApi {
        final NettyApi api;
        final NettyTransport transport;
        /** {@code AbstractEpollChannel.remote} (io_uring's base has one too): what {@code remoteAddress()} reports. */
        final Field remote;
        /**
         * {@code AbstractEpollChannel.socket} ({@code AbstractIoUringChannel.socket}): the LinuxSocket, for a reconnect
         * to a new relay and an early bind.
         */
        final Field socket;

        ChannelApi(NettyApi api, Class<?> channelClass, NettyTransport transport) throws ReflectiveOperationException {
            this.api = api;
            this.transport = transport;
            this.remote = NettyApi.field(channelClass, "remote", SocketAddress.class);
            Field s = null;
            for (Class<?> c = channelClass; c != null && s == null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getName().equals("socket") && f.getType().getName().endsWith(".LinuxSocket")) {
                        f.setAccessible(true);
                        s = f;
                    }
                }
            }
            if (s == null) {
                throw new NoSuchFieldException(channelClass.getName() + " has no LinuxSocket socket");
            }
            this.socket = s;
        }
    }

    /** The socket operations an association needs, on the channel's LinuxSocket (rare: set-up, recovery). */
    private final class Access implements SocketAccess {
        @Override
        public InetSocketAddress localAddress(Object channel) throws IOException {
            try {
                ChannelApi ch = channelApiOf(channel.getClass());
                Object local = (Object) ch.api.localAddress.invokeExact(channel);
                Object socket = ch.socket.get(channel);
                if (!(local instanceof InetSocketAddress)) {
                    local = NettyApi.method(socket.getClass(), "localAddress").invoke(socket);
                }
                if (!(local instanceof InetSocketAddress)) { // a connect before any bind: bind as connect(2) would
                    NettyApi.method(socket.getClass(), "bind", SocketAddress.class)
                            .invoke(socket, new InetSocketAddress(0));
                    local = NettyApi.method(socket.getClass(), "localAddress").invoke(socket);
                }
                return (InetSocketAddress) local;
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
            } catch (IOException e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException("socksudp cannot tell the local address of " + channel.getClass().getName(), e);
            }
        }

        @Override
        public void reconnect(Object channel, InetSocketAddress relay) throws IOException {
            try {
                Object socket = channelApiOf(channel.getClass()).socket.get(channel);
                NettyApi.method(socket.getClass(), "connect", SocketAddress.class).invoke(socket, relay);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
            } catch (IOException e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException("socksudp cannot reconnect " + channel.getClass().getName() + " to " + relay, e);
            }
        }
    }
}
