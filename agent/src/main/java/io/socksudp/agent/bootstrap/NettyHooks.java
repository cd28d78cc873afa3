package io.socksudp.agent.bootstrap;

import java.io.IOException;

/**
 * What the agent does at each interception point of a Netty native datagram channel (epoll, io_uring, kqueue, in
 * whatever class loader and under whatever package the application has them); implemented outside the bootstrap
 * loader. Netty's types never appear here: the advice hands over its objects as {@code Object}.
 */
public interface NettyHooks {

    /** A channel of a layout the agent cannot guard is being constructed: always throws, naming what to do. */
    void refuseChannel(String channelClass) throws IOException;

    /** {@code msg} is about to be queued for writing on {@code channel}: throws when it would leave directly. */
    void checkWrite(Object channel, Object msg) throws IOException;

    /** {@code channel} is about to connect its socket to {@code remote}: throws when that peer is proxied. */
    void checkConnect(Object channel, Object remote) throws IOException;

    /**
     * A tunnelled channel's {@code filterOutboundMessage(msg)} is starting: returns the message it is to go on with,
     * {@code msg} itself for a direct destination, else the datagram framed for and addressed to the relay ({@code
     * msg} released). Throws, failing the write, when it can be neither.
     */
    Object outbound(Object channel, Object msg) throws IOException;

    /**
     * A tunnelled channel's {@code doConnect(remote, local)} (epoll), or any io_uring channel's unsafe {@code
     * connect}, is starting: the address its socket is to connect to ({@code remote} itself for other channels).
     */
    Object connectTarget(Object channel, Object remote) throws IOException;

    /** A tunnelled channel's {@code doConnect} returns {@code result} (1: connected): the peer is recorded then. */
    int connectDone(Object channel, int result) throws IOException;

    /**
     * An io_uring channel's connect has completed and {@code remote} (what the OS socket is connected to) is about to
     * become its remote address: returns the peer instead when the agent connected it to the relay, else {@code
     * remote}. Called for every io_uring channel, stream ones too.
     */
    Object connectedRemote(Object channel, Object remote);

    /** A tunnelled channel's {@code doDisconnect()} is starting. */
    void disconnecting(Object channel);

    /**
     * A tunnelled epoll channel's {@code doWrite(ChannelOutboundBuffer)} is starting: true when it must write nothing
     * now, because messages in {@code outboundBuffer} wait for the association's set-up (a flush is run on the
     * channel's event loop when it ends); their framing is done here once it has.
     */
    boolean holdWrites(Object channel, Object outboundBuffer);

    /** A tunnelled channel's {@code doClose()} is starting: its association is released. */
    void closing(Object channel);

    /**
     * Stands for {@code pipeline.fireChannelRead(msg)} in a tunnelled channel's read paths: fires the datagram with
     * its SOCKS header taken off and the peer as sender, fires it as it is, or drops it (released, counted); returns
     * {@code pipeline}.
     */
    Object fireChannelRead(Object pipeline, Object msg);

    /**
     * Stands for {@code nativePacket.newDatagramPacket(buffer, recipient)} in a tunnelled epoll channel's reads: the
     * packet to fire, already unwrapped for a datagram from the relay (see {@link #fireChannelRead}), else Netty's own.
     */
    Object nativePacket(Object channel, Object nativePacket, Object buffer, Object recipient) throws Exception;

    /**
     * Stands for the sender with which io_uring's {@code MsgHdrMemory} builds the packet around {@code content} that
     * {@code channel} received: the peer, with the SOCKS header skipped in {@code content}, for a datagram from the
     * relay; else {@code sender}.
     */
    Object receivedSender(Object sender, Object content, Object channel);

    /**
     * Stands for the maximum datagram payload size its read loop just read from {@code config}: 0 for a tunnelled
     * channel (no {@code recvmmsg}, whose fixed slots would truncate a maximal payload by its SOCKS header).
     */
    int slotSize(Object config, int size);

    /**
     * Stands for {@code handle.allocate(allocator)} in the read loop of a tunnelled layout's channel: the buffer its
     * next datagram is read into, with room for the SOCKS header on top of the handle's guess when the channel is
     * tunnelled (or reads before its first send, io_uring), else the handle's own.
     */
    Object readBuffer(Object handle, Object allocator, Object channel);
}
