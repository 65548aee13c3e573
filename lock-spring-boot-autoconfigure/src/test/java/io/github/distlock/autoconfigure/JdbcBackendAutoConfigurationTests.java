package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcPlatform;
import io.github.distlock.jdbc.LockTableException;
import io.github.distlock.spring.DistributedLock;
import io.github.distlock.testservers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.UnifiedJedis;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDBC backend's auto-configuration: detection and choice, the data source, the lock table's names and creation,
 * start-up failures, independence from the caller's transaction, and two application contexts with pools of their
 * own charging the same orders on a real PostgreSQL server.
 */
class JdbcBackendAutoConfigurationTests {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final String CHOOSE_JDBC = "distributed-lock.backend=jdbc";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class, DistributedLockAutoConfiguration.class));

    private final ApplicationContextRunner withoutDataSource = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

    private static String h2Url() {
        return "jdbc:h2:mem:locks-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    private static String uniqueKey() {
        return "order-" + UUID.randomUUID();
    }

    private static String owner() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static long count(DataSource dataSource, String sql) {
        Long count = new JdbcTemplate(dataSource).queryForObject(sql, Long.class);
        return (count != null) ? count : -1;
    }

    private static Throwable rootCause(AssertableApplicationContext context) {
        Throwable cause = context.getStartupFailure();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof InvalidConfigurationPropertyValueException || cause instanceof LockTableException) {
                return cause;
            }
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void jdbcIsDetectedWhenTheApplicationHasADataSourceAndRedisIsAbsent() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
            .withPropertyValues("spring.datasource.url=" + h2Url())
            .run(context -> {
                assertThat(context).hasSingleBean(JdbcLeaseBackend.class);
                assertThat(context.getBean(LockClient.class).backendName()).isEqualTo("jdbc");
                assertThat(context.getBean(JdbcLeaseBackend.class).platform()).isEqualTo(JdbcPlatform.H2);
                assertThat(count(context.getBean(DataSource.class), "SELECT COUNT(*) FROM distributed_lock"))
                    .as("rows of the lock table created on H2").isZero();
            });
    }

    @Test
    void detectionTriesRedisThenZooKeeperThenJdbcThenEtcdThenInMemory() {
        assertThat(LockBackendType.values()).containsExactly(LockBackendType.REDIS, LockBackendType.ZOOKEEPER,
                LockBackendType.JDBC, LockBackendType.ETCD, LockBackendType.IN_MEMORY);
    }

    @Test
    void withoutADataSourceDetectionFallsBackToInMemory() {
        this.withoutDataSource.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
            .run(context -> assertThat(context).hasSingleBean(InMemoryLeaseBackend.class)
                .doesNotHaveBean(JdbcLeaseBackend.class));
    }

    @Test
    void jdbcChosenWithoutADataSourceFailsStartupNamingTheProperty() {
        this.withoutDataSource.withPropertyValues(CHOOSE_JDBC).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootCause(context)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("distributed-lock.backend")
                .hasMessageContaining("needs a DataSource bean");
        });
    }

    @Test
    void anotherChosenBackendLeavesTheDataSourceAlone() {
        this.contextRunner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.backend=in-memory")
            .run(context -> assertThat(context).hasSingleBean(InMemoryLeaseBackend.class)
                .doesNotHaveBean(JdbcLeaseBackend.class));
    }

    @Test
    void dataSourceNamedByThePropertyHoldsTheLockTable() {
        this.withoutDataSource.withUserConfiguration(TwoDataSources.class)
            .withPropertyValues(CHOOSE_JDBC, "distributed-lock.jdbc.data-source=lockDataSource")
            .run(context -> {
                assertThat(context).hasSingleBean(JdbcLeaseBackend.class);
                DataSource locks = context.getBean("lockDataSource", DataSource.class);
                DataSource application = context.getBean("applicationDataSource", DataSource.class);
                assertThat(count(locks, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = "
                        + "'DISTRIBUTED_LOCK'")).isEqualTo(1);
                assertThat(count(application, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = "
                        + "'DISTRIBUTED_LOCK'")).isZero();
            });
    }

    @Test
    void unknownDataSourceNameFailsStartupNamingTheProperty() {
        this.withoutDataSource.withUserConfiguration(TwoDataSources.class)
            .withPropertyValues(CHOOSE_JDBC, "distributed-lock.jdbc.data-source=missing")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("distributed-lock.jdbc.data-source")
                    .hasMessageContaining("no DataSource bean has this name");
            });
    }

    @Test
    void primaryDataSourceIsUsedWhenNoneIsNamed() {
        this.withoutDataSource.withUserConfiguration(TwoDataSources.class).withPropertyValues(CHOOSE_JDBC)
            .run(context -> assertThat(count(context.getBean("applicationDataSource", DataSource.class),
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'DISTRIBUTED_LOCK'"))
                .isEqualTo(1));
    }

    @Test
    void severalDataSourcesWithoutAPrimaryFailStartupClearly() {
        this.withoutDataSource.withUserConfiguration(TwoEqualDataSources.class).withPropertyValues(CHOOSE_JDBC)
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("several DataSource beans")
                    .hasMessageContaining("distributed-lock.jdbc.data-source");
            });
    }

    @Test
    void tableNameWithSqlMetacharactersFailsStartupNamingTheProperty() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.table-name=locks; DROP TABLE orders")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("distributed-lock.jdbc.table-name")
                    .hasMessageContaining("plain SQL identifier");
            });
    }

    @Test
    void schemaWithSqlMetacharactersFailsStartupNamingTheProperty() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.database-schema=public\"--")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("distributed-lock.jdbc.database-schema");
            });
    }

    @Test
    void theDeprecatedSchemaPropertyStillNamesTheDatabaseSchema() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url() + ";INIT=CREATE SCHEMA IF NOT EXISTS LEGACY",
                    CHOOSE_JDBC, "distributed-lock.jdbc.schema=legacy")
            .run(context -> assertThat(context.getBean(JdbcLeaseBackend.class).options().qualifiedTableName())
                .isEqualTo("legacy.distributed_lock"));
    }

    @Test
    void missingTableWithInitializationOffIsAClearStartupError() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.initialize-schema=never")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(LockTableException.class)
                    .hasMessageContaining("Lock table distributed_lock")
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("distributed-lock.jdbc.initialize-schema=always");
            });
    }

    @Test
    void tableAndSchemaPropertiesNameTheLockTable() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url() + ";INIT=CREATE SCHEMA IF NOT EXISTS LOCKING",
                    CHOOSE_JDBC, "distributed-lock.jdbc.database-schema=locking", "distributed-lock.jdbc.table-name=app_locks",
                    "distributed-lock.jdbc.query-timeout=2s")
            .run(context -> {
                JdbcLockOptions options = context.getBean(JdbcLeaseBackend.class).options();
                assertThat(options.qualifiedTableName()).isEqualTo("locking.app_locks");
                assertThat(options.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
                try (Lease lease = context.getBean(LockClient.class).acquire(LockRequest.of(uniqueKey(), LEASE))) {
                    assertThat(count(context.getBean(DataSource.class), "SELECT COUNT(*) FROM locking.app_locks"))
                        .isEqualTo(1);
                }
            });
    }

    @Test
    void releaseNotificationCanBeTurnedOffForAPoolerThatCannotListen() {
        this.contextRunner.withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC)
            .run(context -> assertThat(context.getBean(JdbcLeaseBackend.class).options().releaseNotification())
                .isTrue());
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.release-notification=false")
            .run(context -> assertThat(context.getBean(JdbcLeaseBackend.class).options().releaseNotification())
                .isFalse());
    }

    @Test
    void expiredRowRetentionPropertyReachesTheOptions() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.expired-row-retention=10m")
            .run(context -> assertThat(context.getBean(JdbcLeaseBackend.class).options().expiredRowRetention())
                .isEqualTo(Duration.ofMinutes(10)));
    }

    @Test
    void expiredRowRetentionNotLongerThanTheQueryTimeoutFailsStartupNamingTheProperty() {
        this.contextRunner
            .withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC,
                    "distributed-lock.jdbc.expired-row-retention=0s")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("distributed-lock.jdbc.expired-row-retention")
                    .hasMessageContaining("longer than the query timeout (5 s)");
            });
    }

    @Test
    void applicationsJdbcLockOptionsReplaceTheProperties() {
        this.contextRunner.withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC)
            .withBean(JdbcLockOptions.class,
                    () -> JdbcLockOptions.defaults().withTable(null, "own_locks").withMaxKeyLength(100))
            .run(context -> {
                JdbcLeaseBackend backend = context.getBean(JdbcLeaseBackend.class);
                assertThat(backend.options().tableName()).isEqualTo("own_locks");
                assertThat(backend.maxKeyLength()).isEqualTo(100);
            });
    }

    @ParameterizedTest
    @EnumSource(value = Propagation.class)
    void lockTakenInATransactionThatRollsBackIsKeptAndThenReleasedProperly(Propagation propagation) {
        this.contextRunner.withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC)
            .withUserConfiguration(WorkTable.class)
            .run(context -> assertRollbackNeitherUndoesNorKeepsTheLock(context, propagation.behavior));
    }

    @Test
    void transactionAwareDataSourceProxyIsLookedThroughSoLocksNeverJoinTheTransaction() {
        this.withoutDataSource.withConfiguration(AutoConfigurations.of(DataSourceTransactionManagerAutoConfiguration.class))
            .withUserConfiguration(TransactionAwareDataSource.class, WorkTable.class)
            .withPropertyValues(CHOOSE_JDBC)
            .run(context -> {
                assertThat(context.getBean(DataSource.class)).isInstanceOf(TransactionAwareDataSourceProxy.class);
                assertRollbackNeitherUndoesNorKeepsTheLock(context, TransactionDefinition.PROPAGATION_REQUIRED);
            });
    }

    private static void assertRollbackNeitherUndoesNorKeepsTheLock(AssertableApplicationContext context,
            int propagation) {
        LockClient client = context.getBean(LockClient.class);
        LeaseBackend backend = context.getBean(LeaseBackend.class);
        DataSource dataSource = context.getBean(DataSource.class);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate outer = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        TransactionTemplate inner = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        inner.setPropagationBehavior(propagation);
        String key = uniqueKey();
        Lease lease = outer.execute(outerStatus -> {
            jdbc.update("INSERT INTO work (id) VALUES (1)");
            Lease taken = inner.execute(innerStatus -> {
                jdbc.update("INSERT INTO work (id) VALUES (2)");
                try {
                    return client.acquire(LockRequest.of(key, LEASE).withReentrant(false));
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            outerStatus.setRollbackOnly();
            return taken;
        });
        assertThat(lease).isNotNull();
        long survivingWork = count(dataSource, "SELECT COUNT(*) FROM work");
        if (propagation != TransactionDefinition.PROPAGATION_REQUIRES_NEW) {
            assertThat(survivingWork).as("the caller's work after its rollback").isZero();
        }
        assertThat(backend.tryAcquire(key, owner(), LEASE).isGranted()).as("the lock after the caller's rollback")
            .isFalse();
        assertThat(lease.isHeld()).isTrue();
        lease.release();
        assertThat(backend.tryAcquire(key, owner(), LEASE).isGranted()).as("the lock after its release").isTrue();
    }

    @Test
    void callerInARepeatableReadTransactionSeesAnotherHoldersLock() {
        this.contextRunner.withPropertyValues("spring.datasource.url=" + h2Url(), CHOOSE_JDBC).run(context -> {
            LockClient client = context.getBean(LockClient.class);
            LeaseBackend backend = context.getBean(LeaseBackend.class);
            JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
            TransactionTemplate repeatableRead = new TransactionTemplate(
                    context.getBean(PlatformTransactionManager.class));
            repeatableRead.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
            String key = uniqueKey();
            repeatableRead.executeWithoutResult(status -> {
                assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM distributed_lock", Long.class)).isZero();
                assertThat(backend.tryAcquire(key, owner(), LEASE).isGranted()).as("another holder").isTrue();
                assertThat(client.tryAcquire(LockRequest.of(key, LEASE))).as("the caller's attempt").isEmpty();
                assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM distributed_lock", Long.class))
                    .as("the lock rows in the caller's own snapshot").isZero();
            });
        });
    }

    /** The propagations a caller may use around a lock. */
    enum Propagation {

        REQUIRED(TransactionDefinition.PROPAGATION_REQUIRED),

        REQUIRES_NEW(TransactionDefinition.PROPAGATION_REQUIRES_NEW),

        NESTED(TransactionDefinition.PROPAGATION_NESTED),

        SUPPORTS(TransactionDefinition.PROPAGATION_SUPPORTS),

        MANDATORY(TransactionDefinition.PROPAGATION_MANDATORY);

        final int behavior;

        Propagation(int behavior) {
            this.behavior = behavior;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class WorkTable {

        @Bean
        Object workTable(DataSource dataSource) {
            new JdbcTemplate(dataSource).execute("CREATE TABLE work (id INT)");
            return "work";
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSources {

        @Bean
        @Primary
        DataSource applicationDataSource() {
            return new DriverManagerDataSource(h2Url());
        }

        @Bean
        DataSource lockDataSource() {
            return new DriverManagerDataSource(h2Url());
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class TwoEqualDataSources {

        @Bean
        DataSource firstDataSource() {
            return new DriverManagerDataSource(h2Url());
        }

        @Bean
        DataSource secondDataSource() {
            return new DriverManagerDataSource(h2Url());
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class TransactionAwareDataSource {

        @Bean
        DataSource dataSource() {
            return new TransactionAwareDataSourceProxy(new DriverManagerDataSource(h2Url()));
        }

    }

    /**
     * On a real PostgreSQL server: the schema is created only when asked, and two application contexts, each with a
     * connection pool of its own, charge the same orders at the same time.
     */
    @Nested
    class OnPostgres {

        private static final int ORDERS = 200;

        private static final int THREADS_PER_CONTEXT = 3;

        /** Widens the race window between the ledger's check and its charge. */
        private static final long CHARGE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private static final long RUN_TIMEOUT_SECONDS = 120;

        private static PostgresServer postgres;

        @BeforeAll
        static void startPostgres() {
            postgres = PostgresServer.start();
        }

        @AfterAll
        static void stopPostgres() {
            postgres.close();
        }

        private ApplicationContextRunner onPostgres(String table) {
            return JdbcBackendAutoConfigurationTests.this.contextRunner.withPropertyValues(
                    "spring.datasource.url=" + postgres.jdbcUrl(), "spring.datasource.username=" + PostgresServer.SUPERUSER,
                    "spring.datasource.hikari.maximum-pool-size=" + (THREADS_PER_CONTEXT + 2), CHOOSE_JDBC,
                    "distributed-lock.jdbc.table-name=" + table, "distributed-lock.backoff.initial=1ms",
                    "distributed-lock.backoff.max=20ms");
        }

        @Test
        void embeddedInitializationLeavesPostgresAloneSoAMissingTableFailsStartup() {
            onPostgres(tableName()).run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootCause(context)).isInstanceOf(LockTableException.class).hasMessageContaining("does not exist");
            });
        }

        @Test
        void alwaysInitializationCreatesTheTableOnPostgres() {
            onPostgres(tableName()).withPropertyValues("distributed-lock.jdbc.initialize-schema=always")
                .run(context -> {
                    assertThat(context.getBean(JdbcLeaseBackend.class).platform()).isEqualTo(JdbcPlatform.POSTGRESQL);
                    try (Lease lease = context.getBean(LockClient.class).acquire(LockRequest.of(uniqueKey(), LEASE))) {
                        assertThat(lease.fencingToken()).isPresent();
                    }
                });
        }

        @Test
        void twoContextsWithPoolsOfTheirOwnChargeEachOrderExactlyOnce() throws Exception {
            Map<String, Long> charges = chargeOnTwoContexts(LockedCheckout.class);
            assertThat(charges).hasSize(ORDERS).allSatisfy((order, count) -> assertThat(count)
                .as("charges of order %s", order).isEqualTo(1));
        }

        @Test
        void unlockedTwinChargesSomeOrdersTwice() throws Exception {
            Map<String, Long> charges = chargeOnTwoContexts(UnlockedCheckout.class);
            assertThat(charges).hasSize(ORDERS);
            assertThat(charges.values()).as("orders charged more than once").anyMatch(count -> count > 1);
        }

        private Map<String, Long> chargeOnTwoContexts(Class<? extends Checkout> checkoutType) throws Exception {
            String ledger = tableName();
            try (var admin = new org.springframework.jdbc.datasource.SingleConnectionDataSource(postgres.jdbcUrl(),
                    PostgresServer.SUPERUSER, "", true)) {
                new JdbcTemplate(admin).execute("CREATE TABLE " + ledger + " (order_id VARCHAR(64) NOT NULL)");
            }
            ApplicationContextRunner instance = onPostgres(tableName())
                .withPropertyValues("distributed-lock.jdbc.initialize-schema=always", "ledger.table=" + ledger)
                .withUserConfiguration(checkoutType);
            Map<String, Long> charges = new java.util.TreeMap<>();
            instance.run(first -> instance.run(second -> {
                assertThat(first).hasNotFailed();
                assertThat(second).hasNotFailed();
                assertThat(first.getBean(DataSource.class)).as("each context's pool")
                    .isNotSameAs(second.getBean(DataSource.class));
                checkoutConcurrently(List.of(first.getBean(Checkout.class), second.getBean(Checkout.class)));
                new JdbcTemplate(first.getBean(DataSource.class))
                    .query("SELECT order_id, COUNT(*) FROM " + ledger + " GROUP BY order_id",
                            row -> {
                                charges.put(row.getString(1), row.getLong(2));
                            });
            }));
            return charges;
        }

        // Every thread walks the same orders in the same order, so the contexts keep colliding on the same order.
        private static void checkoutConcurrently(List<Checkout> checkouts) throws Exception {
            ExecutorService threads = Executors.newFixedThreadPool(checkouts.size() * THREADS_PER_CONTEXT);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (Checkout checkout : checkouts) {
                    for (int i = 0; i < THREADS_PER_CONTEXT; i++) {
                        runs.add(threads.submit(() -> {
                            for (int order = 0; order < ORDERS; order++) {
                                checkout.checkout("order-" + order);
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> run : runs) {
                    run.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            finally {
                threads.shutdownNow();
            }
        }

        private static String tableName() {
            return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        }

    }

    /** Checks whether an order was charged, then charges it: racy on purpose, safe only under the lock. */
    interface Checkout {

        void checkout(String orderId);

    }

    abstract static class LedgerCheckout implements Checkout {

        private final JdbcTemplate jdbc;

        private final String ledger;

        LedgerCheckout(DataSource dataSource, org.springframework.core.env.Environment environment) {
            this.jdbc = new JdbcTemplate(dataSource);
            this.ledger = environment.getRequiredProperty("ledger.table");
        }

        void chargeIfNotCharged(String orderId) {
            Long charged = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.ledger + " WHERE order_id = ?",
                    Long.class, orderId);
            if (charged != null && charged == 0) {
                LockSupport.parkNanos(OnPostgres.CHARGE_PAUSE_NANOS);
                this.jdbc.update("INSERT INTO " + this.ledger + " (order_id) VALUES (?)", orderId);
            }
        }

    }

    static class LockedCheckout extends LedgerCheckout {

        LockedCheckout(DataSource dataSource, org.springframework.core.env.Environment environment) {
            super(dataSource, environment);
        }

        @Override
        @DistributedLock(name = "charge", key = "#orderId", waitTime = "60s")
        public void checkout(String orderId) {
            chargeIfNotCharged(orderId);
        }

    }

    static class UnlockedCheckout extends LedgerCheckout {

        UnlockedCheckout(DataSource dataSource, org.springframework.core.env.Environment environment) {
            super(dataSource, environment);
        }

        @Override
        public void checkout(String orderId) {
            chargeIfNotCharged(orderId);
        }

    }

}
