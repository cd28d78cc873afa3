package io.socksudp.demo.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Unconnected blocking {@link DatagramChannel}: {@code send(ByteBuffer, SocketAddress)} and
 * {@code receive(ByteBuffer)}.
 *
 * <p>A blocking channel's receive has no timeout of its own (SO_TIMEOUT only applies to its socket adaptor),
 * so a watchdog closes the channel when a reply is overdue; the blocked receive then fails with
 * {@link AsynchronousCloseException}, which is reported as a timeout. After a timeout the endpoint is closed.
 */
final class ChannelEndpoint implements UdpEndpoint {
    private final DatagramChannel channel;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "udp-receive-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    ChannelEndpoint(InetSocketAddress bind) throws IOException {
        channel = DatagramChannel.open();
        // Bind at once (instead of implicitly on first send) so the local address can be reported up front.
        channel.bind(bind);
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void send(byte[] data, int length, InetSocketAddress target) throws IOException {
        channel.send(ByteBuffer.wrap(data, 0, length), target);
    }

    @Override
    public Received receive(byte[] buffer, int timeoutMillis) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buffer);
        ScheduledFuture<?> alarm = timeoutMillis > 0
                ? watchdog.schedule(this::closeQuietly, timeoutMillis, TimeUnit.MILLISECONDS)
                : null;
        try {
            InetSocketAddress source = (InetSocketAddress) channel.receive(bb);
            // If the alarm fired anyway, the channel is already closed: count that as a timeout too.
            if (alarm != null && !alarm.cancel(false)) {
                throw timeout(timeoutMillis);
            }
            return new Received(bb.position(), source);
        } catch (AsynchronousCloseException e) {
            throw timeout(timeoutMillis);
        }
    }

    private static SocketTimeoutException timeout(int timeoutMillis) {
        return new SocketTimeoutException("no datagram within " + timeoutMillis + " ms (channel closed)");
    }

    @Override
    public String kind() {
        return "DatagramChannel";
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is best effort; the receive that waits on it reports the outcome.
        }
    }

    @Override
    public void close() {
        closeQuietly();
        watchdog.shutdownNow();
    }
}
