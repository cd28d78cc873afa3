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
}
