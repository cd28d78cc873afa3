package io.socksudp.agent.association;

import io.socksudp.agent.socks.CommandReply;
import io.socksudp.agent.socks.ReplyCode;
import io.socksudp.agent.config.LazyLogger;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One thread with one selector watches every association's control connection (never a thread per
 * socket). After the UDP ASSOCIATE reply the proxy has nothing more to say, so end-of-stream, a reset, or any
 * byte at all (WinGate sends reply 0x01 and closes when a remote answers ICMP port-unreachable) means the
 * association is dead.
 *
 * <p>The thread leaves its selector when the JVM shuts down: HotSpot's final exit waits up to 300 ms for every
 * thread still in native code (VM_Exit::wait_for_threads_in_native_to_block), and a thread blocked in
 * {@code select} is in native code, so a watching monitor made every short-lived program exit about 0.3 s late.
 */
final class ControlMonitor implements Runnable {

    private static final Logger LOG = LazyLogger.getLogger("socksudp");

    private final Queue<Association> added = new ConcurrentLinkedQueue<Association>();
    private final ByteBuffer scratch = ByteBuffer.allocate(512);
    private Selector selector;
    private Thread thread;
    private volatile boolean shuttingDown;

    /**
     * Starts watching {@code association}, whose control connection must be non-blocking from now on. Once the
     * JVM shuts down nothing is watched any more: a loss then needs no recovery.
     */
    synchronized void watch(Association association) throws IOException {
        if (thread == null && !shuttingDown) {
            start();
        }
        association.control().configureBlocking(false);
        if (thread != null && !shuttingDown) {
            added.add(association);
            selector.wakeup();
        }
    }

    private void start() throws IOException {
        Selector opened = Selector.open();
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    stop();
                }
            }, "socksudp-monitor-stop"));
        } catch (IllegalStateException alreadyShuttingDown) {
            shuttingDown = true;
            opened.close();
            return;
        } catch (SecurityException noHookAllowed) {
            // a SecurityManager that denies shutdownHooks: watch anyway; the JVM's exit may then wait up to 0.3 s
        }
        selector = opened;
        thread = new Thread(this, "socksudp-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /** At JVM shutdown: out of {@code select}, so the VM's exit need not wait for this thread (see above). */
    private void stop() {
        Thread monitor;
        synchronized (this) {
            shuttingDown = true;
            monitor = thread;
            selector.wakeup();
        }
        try {
            monitor.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        while (!shuttingDown) {
            try {
                selector.select();
                if (shuttingDown) {
                    return;
                }
                registerAdded();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    check(key);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("socksudp monitor: {}", e.toString());
            }
        }
    }

    private void registerAdded() {
        for (Association a; (a = added.poll()) != null; ) {
            try {
                a.watchedAs(a.control().register(selector, SelectionKey.OP_READ, a));
            } catch (IOException | RuntimeException e) {
                a.lost("its control connection could not be watched (" + e + ")"); // closed meanwhile: ours
            }
        }
    }

    private void check(SelectionKey key) {
        Association a = (Association) key.attachment();
        if (!key.isValid()) {
            return; // we closed it ourselves
        }
        String cause;
        try {
            scratch.clear();
            int n = a.control().read(scratch);
            if (n == 0) {
                return;
            }
            cause = n < 0 ? "the proxy closed the control connection" : unexpected(scratch);
        } catch (IOException e) {
            cause = "the control connection failed (" + e.getMessage() + ")";
        }
        key.cancel();
        a.lost(cause);
    }

    /** Names what the proxy sent: a late reply (e.g. WinGate's REP 1) reads better than raw bytes. */
    private static String unexpected(ByteBuffer bytes) {
        bytes.flip();
        int count = bytes.remaining();
        try {
            CommandReply reply = CommandReply.decode(bytes.duplicate());
            if (reply != null) {
                return "the proxy sent a reply on the control connection: " + ReplyCode.describe(reply.rep());
            }
        } catch (IOException notAReply) {
            // fall through to the byte count
        }
        return "the proxy sent " + count + " unexpected byte(s) on the control connection";
    }
}
