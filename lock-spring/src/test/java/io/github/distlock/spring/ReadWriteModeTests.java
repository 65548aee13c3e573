package io.github.distlock.spring;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockMode;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.LeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @DistributedLock(mode = READ)}: readers of a key run together and keep writers out, and a backend without
 * shared leases fails start-up (or, for a bean created later, the first call) naming the method, the attribute and
 * the backend.
 */
class ReadWriteModeTests {

    private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

    private LockEngine engine;

    @AfterEach
    void closeContext() {
        this.context.close();
        if (this.engine != null) {
            this.engine.close();
        }
    }

    @Test
    void readOverABackendWithoutSharedLeasesFailsStartupNamingTheMethodTheModeAndTheBackend() {
        prepare(new ExclusiveOnly(), Catalog.class);
        assertThatThrownBy(this.context::refresh).isInstanceOf(BeanInitializationException.class)
            .hasMessageContaining("Catalog.read(String, CountDownLatch, CountDownLatch)")
            .hasMessageContaining("mode = READ")
            .hasMessageContaining("lock backend 'exclusive-only' grants exclusive locks only");
    }

    @Test
    void aLazilyCreatedReadBeanOverABackendWithoutSharedLeasesNeverRunsItsMethod() {
        prepare(new ExclusiveOnly(), null);
        this.context.registerBean(Catalog.class, definition -> definition.setLazyInit(true));
        this.context.refresh();
        Catalog catalog = this.context.getBean(Catalog.class);
        assertThatIllegalStateException()
            .isThrownBy(() -> catalog.read("1", new CountDownLatch(0), new CountDownLatch(0)))
            .withMessageContaining("mode = READ")
            .withMessageContaining("'exclusive-only'");
        assertThat(catalog.reads()).isZero();
    }

    @Test
    void readersOfOneKeyRunTogetherAndAWriterIsSkippedUntilTheyReturn() throws Exception {
        prepare(new InMemoryLeaseBackend(), Catalog.class);
        this.context.refresh();
        Catalog catalog = this.context.getBean(Catalog.class);
        CountDownLatch bothInside = new CountDownLatch(2);
        CountDownLatch leave = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> catalog.read("1", bothInside, leave));
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> catalog.read("1", bothInside, leave));
        try {
            assertThat(bothInside.await(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS))
                    .as("both readers inside at once").isTrue();
            assertThat(catalog.write("1")).as("a writer while readers are inside").isFalse();
            assertThat(catalog.write("2")).as("a writer of another key").isTrue();
        }
        finally {
            leave.countDown();
        }
        first.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
        second.get(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(catalog.write("1")).as("a writer once the readers returned").isTrue();
    }

    private void prepare(LeaseBackend backend, Class<?> beanClass) {
        this.engine = new LockEngine(backend);
        this.context.registerBean(LockClient.class, () -> this.engine);
        this.context.register(Infrastructure.class);
        if (beanClass != null) {
            this.context.registerBean(beanClass);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class Infrastructure {

    }

    static class Catalog {

        private final AtomicInteger reads = new AtomicInteger();

        // Read through a method: the class proxy has fields of its own.
        public int reads() {
            return this.reads.get();
        }

        @DistributedLock(name = "catalog", key = "#id", mode = LockMode.READ)
        public void read(String id, CountDownLatch inside, CountDownLatch leave) {
            this.reads.incrementAndGet();
            inside.countDown();
            try {
                leave.await(TestTimings.EVENTUALLY.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        @DistributedLock(name = "catalog", key = "#id", whenLocked = WhenLocked.SKIP)
        public boolean write(String id) {
            return true;
        }

    }

    /** A real backend with exclusive leases only: the in-memory one, without its capabilities. */
    static final class ExclusiveOnly implements LeaseBackend {

        private final InMemoryLeaseBackend delegate = new InMemoryLeaseBackend();

        @Override
        public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
            return this.delegate.tryAcquire(key, ownerToken, leaseTime);
        }

        @Override
        public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
            return this.delegate.renewIfOwner(key, ownerToken, leaseTime);
        }

        @Override
        public boolean releaseIfOwner(String key, String ownerToken) {
            return this.delegate.releaseIfOwner(key, ownerToken);
        }

        @Override
        public String name() {
            return "exclusive-only";
        }

    }

}
