package io.github.distlock.chaos;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.spi.LeaseBackend;

/**
 * Faults a worker injects between its engine and its backend, with every capability of the backend kept (the
 * decorator is a dynamic proxy over all the interfaces the backend implements, so the engine still queues, fences and
 * waits for notifications): renewals that stall (the renewal path blocked, as a stuck renewal thread or a dead
 * connection would) and releases retried after a while, as a client library does when it thinks the reply of its
 * unlock was lost (reliability T04 and T06).
 *
 * <p>Thread-safe: the switches are volatile and read at each call.
 */
final class FaultInjectingBackend implements InvocationHandler {

    private final LeaseBackend backend;

    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chaos-retried-release");
        thread.setDaemon(true);
        return thread;
    });

    private volatile boolean renewalsStalled;

    private volatile long releaseRetryMillis;

    private FaultInjectingBackend(LeaseBackend backend) {
        this.backend = backend;
    }

    /**
     * Wraps a backend.
     * @param backend the real backend
     * @return the decorated backend and its switches
     */
    static Wrapped wrap(LeaseBackend backend) {
        FaultInjectingBackend handler = new FaultInjectingBackend(backend);
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> type = backend.getClass(); type != null; type = type.getSuperclass()) {
            collect(type, interfaces);
        }
        LeaseBackend proxy = (LeaseBackend) Proxy.newProxyInstance(FaultInjectingBackend.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new), handler);
        return new Wrapped(proxy, handler);
    }

    private static void collect(Class<?> type, Set<Class<?>> into) {
        for (Class<?> implemented : type.getInterfaces()) {
            if (into.add(implemented)) {
                collect(implemented, into);
            }
        }
    }

    /**
     * Stalls every renewal from now on until {@link #stallRenewals(boolean) stallRenewals(false)}: the call blocks
     * and then reports the lease still held, which is what a renewal stuck in a dead connection looks like to the
     * engine's renewal pool.
     * @param stalled whether renewals stall
     */
    void stallRenewals(boolean stalled) {
        this.renewalsStalled = stalled;
    }

    /**
     * Makes every release go to the backend a second time after the given pause (0: no retry).
     * @param millis the pause before the retried release
     */
    void retryReleasesAfter(long millis) {
        this.releaseRetryMillis = millis;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
        String name = method.getName();
        if (name.startsWith("renew")) {
            while (this.renewalsStalled) {
                Thread.sleep(20);
            }
        }
        Object result = call(method, arguments);
        long retryAfter = this.releaseRetryMillis;
        if (name.startsWith("release") && retryAfter > 0) {
            this.retries.schedule(() -> {
                try {
                    call(method, arguments);
                }
                catch (Throwable ex) {
                    // A retried release that fails is as good as one that was never sent.
                }
            }, retryAfter, TimeUnit.MILLISECONDS);
        }
        return result;
    }

    private Object call(Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(this.backend, arguments);
        }
        catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }

    /**
     * A decorated backend and the switches of its faults.
     * @param backend what the engine is given
     * @param faults the switches
     */
    record Wrapped(LeaseBackend backend, FaultInjectingBackend faults) {
    }

}
