package io.socksudp.agent.intercept.netty;

import io.socksudp.agent.association.PendingAssociation;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * What an epoll channel holds while its association is being set up: the datagrams written meanwhile wait in Netty's
 * own outbound buffer, framed (the header names the destination) and addressed to {@code 0.0.0.0:0}, in the order
 * written (the channel's {@code doWrite} writes nothing while any is there), and are readdressed to the relay in place
 * once the set-up has ended, when a flush is run on the channel's event loop. The
 * loop never waits for the proxy: other channels of the same loop go on. Event loop only (Netty runs all of a
 * channel's writes there); the set-up's completion only hands the loop a task.
 */
final class HeldWrites {

    /** How many held datagrams the channel's outbound buffer has (addressed to NettyTunnels.HELD). */
    int count;
    /** Counted among the channels that hold writes (NettyTunnels.holding). */
    boolean counted;
    /** The set-up the held datagrams wait for; null once it has been seen to end. */
    PendingAssociation waitingFor;

    /** Told by the set-up's end, on its thread: runs a flush of {@code channel} on the channel's event loop. */
    static final class Flush implements Runnable {
        private final Object channel;
        private boolean onLoop;

        Flush(Object channel) {
            this.channel = channel;
        }

        @Override
        public void run() {
            try {
                if (!onLoop) {
                    Flush task = new Flush(channel);
                    task.onLoop = true;
                    ((Executor) method(channel.getClass(), "eventLoop").invoke(channel)).execute(task);
                    return;
                }
                Object unsafe = method(channel.getClass(), "unsafe").invoke(channel);
                method(unsafe.getClass(), "flush0").invoke(unsafe); // the flushed messages only, as Netty's flush
            } catch (RejectedExecutionException e) {
                // the event loop is shut down: its channels are closed with their buffers
            } catch (ReflectiveOperationException | RuntimeException e) {
                HeldWrites.failed(e);
            }
        }
    }

    /** A method of {@code type} or a superclass, whatever its access (Netty's {@code flush0} is protected). */
    static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, parameters);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                // look further up
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }

    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    private static volatile boolean failureLogged;

    static void failed(Throwable e) {
        if (!failureLogged) {
            failureLogged = true;
            io.socksudp.agent.config.LazyLogger.getLogger("socksudp").warn("socksudp could not flush a Netty channel"
                    + " whose writes waited for its association ({}); they are sent at its next flush", e.toString());
        }
    }
}
