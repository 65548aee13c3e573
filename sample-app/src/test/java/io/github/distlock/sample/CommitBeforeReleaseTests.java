package io.github.distlock.sample;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LeaseLossListener;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.sample.shop.CheckoutService;
import io.github.distlock.sample.shop.OrderRepository;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.transaction.annotation.EnableTransactionManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkout's order of events: the lock wraps the transaction, so the order is committed before the lock is
 * released, and whoever takes the lock next reads it paid. Each release is observed by reading the order from
 * another database connection at that moment; putting the transaction outside the lock makes the same observation
 * read the order unpaid, which shows the observation can tell.
 */
class CommitBeforeReleaseTests {

    @Test
    void orderIsCommittedPaidBeforeTheLockIsReleased() {
        assertThat(statusSeenAtRelease()).isEqualTo("PAID");
    }

    @Test
    void withTheTransactionOutsideTheLockTheReleaseComesBeforeTheCommit() {
        assertThat(statusSeenAtRelease(TransactionOutsideLockConfiguration.class)).isEqualTo("NEW");
    }

    private static String statusSeenAtRelease(Class<?>... configuration) {
        Class<?>[] sources = Stream.concat(Stream.of(ReleaseObservingConfiguration.class), Stream.of(configuration))
            .toArray(Class<?>[]::new);
        try (InProcessSample sample = InProcessSample.start(Map.of(), sources)) {
            String order = sample.context().getBean(OrderRepository.class)
                .create("order-commit-check", BigDecimal.TEN)
                .id();
            sample.context().getBean(CheckoutService.class).checkout(order, OptionalLong.empty());
            ReleaseObservingLockClient locks = sample.context().getBean(ReleaseObservingLockClient.class);
            return locks.statusAtRelease.get("sample:order:" + order);
        }
    }

    // The application's own @EnableTransactionManagement replaces Boot's, here with the transaction advisor first.
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement(proxyTargetClass = true, order = Ordered.HIGHEST_PRECEDENCE)
    static class TransactionOutsideLockConfiguration {

    }

    @Configuration(proxyBeanMethods = false)
    static class ReleaseObservingConfiguration {

        @Bean(destroyMethod = "close")
        ReleaseObservingLockClient releaseObservingLockClient(DataSource dataSource) {
            return new ReleaseObservingLockClient(new LockEngine(new InMemoryLeaseBackend()), dataSource);
        }

    }

    /**
     * A lock client that, just before a lease is released, reads the status of the order it locks from a connection
     * of its own (so it sees only committed data).
     */
    static final class ReleaseObservingLockClient implements LockClient, AutoCloseable {

        final Map<String, String> statusAtRelease = new ConcurrentHashMap<>();

        private final LockEngine engine;

        private final DataSource dataSource;

        ReleaseObservingLockClient(LockEngine engine, DataSource dataSource) {
            this.engine = engine;
            this.dataSource = dataSource;
        }

        @Override
        public Optional<Lease> tryAcquire(LockRequest request) {
            return this.engine.tryAcquire(request).map(this::observed);
        }

        @Override
        public Lease acquire(LockRequest request) throws InterruptedException {
            return observed(this.engine.acquire(request));
        }

        @Override
        public boolean supportsFencingTokens() {
            return this.engine.supportsFencingTokens();
        }

        @Override
        public String backendName() {
            return this.engine.backendName();
        }

        @Override
        public void close() {
            this.engine.close();
        }

        private Lease observed(Lease lease) {
            return new ObservedLease(lease, () -> this.statusAtRelease.put(lease.key(), committedStatus(lease.key())));
        }

        private String committedStatus(String key) {
            String orderId = key.substring(key.lastIndexOf(':') + 1);
            try (Connection connection = this.dataSource.getConnection();
                    PreparedStatement select = connection
                        .prepareStatement("SELECT status FROM shop_order WHERE id = ?")) {
                select.setString(1, orderId);
                try (ResultSet result = select.executeQuery()) {
                    return result.next() ? result.getString(1) : "(none)";
                }
            }
            catch (SQLException ex) {
                throw new IllegalStateException(ex);
            }
        }

    }

    private record ObservedLease(Lease lease, Runnable beforeRelease) implements Lease {

        @Override
        public String key() {
            return this.lease.key();
        }

        @Override
        public String ownerToken() {
            return this.lease.ownerToken();
        }

        @Override
        public OptionalLong fencingToken() {
            return this.lease.fencingToken();
        }

        @Override
        public Duration remainingValidity() {
            return this.lease.remainingValidity();
        }

        @Override
        public boolean isHeld() {
            return this.lease.isHeld();
        }

        @Override
        public void checkHeld() {
            this.lease.checkHeld();
        }

        @Override
        public void addLossListener(LeaseLossListener listener) {
            this.lease.addLossListener(listener);
        }

        @Override
        public void release() {
            this.beforeRelease.run();
            this.lease.release();
        }

    }

}
