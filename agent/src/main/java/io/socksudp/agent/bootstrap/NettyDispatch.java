package io.socksudp.agent.bootstrap;

import java.io.IOException;

/**
 * Static entry points called by the advice inlined into Netty's native datagram channels. Those classes belong to
 * the application's class loaders (any number of them, shaded copies included); each finds this class through
 * parent delegation to the bootstrap loader, so one agent serves them all.
 *
 * <p>Before {@link #install} every call fails: the advice is only ever installed after the hooks, and a channel that
 * met the advice without them must not send around the proxy.
 */
public final class NettyDispatch {

    private static volatile NettyHooks hooks;

    private NettyDispatch() {
    }

    public static void install(NettyHooks installed) {
        hooks = installed;
    }

    public static void refuseChannel(String channelClass) throws IOException {
        hooks().refuseChannel(channelClass);
    }

    public static void checkWrite(Object channel, Object msg) throws IOException {
        hooks().checkWrite(channel, msg);
    }

    public static void checkConnect(Object channel, Object remote) throws IOException {
        hooks().checkConnect(channel, remote);
    }

    public static Object outbound(Object channel, Object msg) throws IOException {
        return hooks().outbound(channel, msg);
    }

    public static Object connectTarget(Object channel, Object remote) throws IOException {
        return hooks().connectTarget(channel, remote);
    }

    public static int connectDone(Object channel, int result) throws IOException {
        return hooks().connectDone(channel, result);
    }

    public static Object connectedRemote(Object channel, Object remote) {
        NettyHooks h = hooks;
        return h == null ? remote : h.connectedRemote(channel, remote); // no hooks: no channel was connected by them
    }

    public static void disconnecting(Object channel) {
        NettyHooks h = hooks;
        if (h != null) {
            h.disconnecting(channel);
        }
    }

    public static void closing(Object channel) {
        NettyHooks h = hooks;
        if (h != null) {
            h.closing(channel);
        }
    }

    /** First in a tunnelled epoll channel's {@code doWrite}: true to write nothing now (see NettyHooks). */
    public static boolean holdWrites(Object channel, Object outboundBuffer) {
        NettyHooks h = hooks;
        return h != null && h.holdWrites(channel, outboundBuffer);
    }

    public static Object fireChannelRead(Object pipeline, Object msg) {
        return hooks.fireChannelRead(pipeline, msg); // installed before any channel could be constructed
    }

    /** The arguments in the order the replaced call leaves them on the stack, the channel last. */
    public static Object nativePacket(Object nativePacket, Object buffer, Object recipient, Object channel)
            throws Exception {
        return hooks.nativePacket(channel, nativePacket, buffer, recipient); // installed before any channel exists
    }

    public static Object receivedSender(Object sender, Object content, Object channel) {
        NettyHooks h = hooks;
        return h == null ? sender : h.receivedSender(sender, content, channel); // vetted where it is fired then
    }

    public static int slotSize(Object config, int size) {
        NettyHooks h = hooks;
        return h == null ? 0 : h.slotSize(config, size);
    }

    public static Object readBuffer(Object handle, Object allocator, Object channel) {
        return hooks.readBuffer(handle, allocator, channel); // installed before any channel could be constructed
    }

    private static NettyHooks hooks() throws IOException {
        NettyHooks h = hooks;
        if (h == null) {
            throw new IOException("socksudp: Netty's native datagram transport met the agent before it was ready");
        }
        return h;
    }
}
