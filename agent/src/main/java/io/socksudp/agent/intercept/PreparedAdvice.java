package io.socksudp.agent.intercept;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The strategy's advice, built on a background thread from start-up on. Building it loads and runs most of
 * Byte Buddy (a few hundred milliseconds on a cold JVM); doing that beside the application's own start-up
 * rather than in front of it is most of what the agent costs at start-up.
 */
public final class PreparedAdvice {

    /** Longer than preparing ever takes; past it the caller builds its own copy rather than risk waiting. */
    private static final long WAIT_SECONDS = 10;

    private final DatagramInstrumentation strategy;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean preparing;
    private volatile Map<String, AsmVisitorWrapper> advice;

    public PreparedAdvice(DatagramInstrumentation strategy) {
        this.strategy = strategy;
    }

    public void prepareInBackground() {
        preparing = true;
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    advice = strategy.advice();
                } catch (Throwable t) {
                    // get() builds it again on the caller's thread and reports what goes wrong there
                } finally {
                    done.countDown();
                }
            }
        }, "socksudp-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The advice; waits for the background thread if one prepares it, or builds it here if none does, or if it
     * failed or is stuck (a class being loaded on the waiting thread could in principle hold up the preparing
     * one: never deadlock).
     */
    public Map<String, AsmVisitorWrapper> get() {
        if (preparing) {
            try {
                done.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, AsmVisitorWrapper> ready = advice;
        if (ready == null) {
            ready = strategy.advice(); // not prepared (or that failed): built here and kept (a racing twin is harmless)
            advice = ready;
        }
        return ready;
    }
}
