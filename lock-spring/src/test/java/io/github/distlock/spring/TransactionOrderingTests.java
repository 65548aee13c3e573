package io.github.distlock.spring;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.testkit.RecordingLeaseBackend;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a real transaction manager and database (H2): by default the lock is acquired before the transaction begins
 * and released after it commits, so the next holder sees the committed work. The advisor order setting changes it.
 */
class TransactionOrderingTests {

    @Test
    void byDefaultTheLockIsAcquiredBeforeTheTransactionBeginsAndReleasedAfterItCommits() {
        try (AnnotationConfigApplicationContext context = start(DistributedLockSettings.DEFAULT_ADVISOR_ORDER,
                DefaultTransactionOrder.class)) {
            context.getBean(OrderRepository.class).placeOrder("o-1");
            assertThat(context.getBean(Events.class).list).containsExactly("acquire", "transaction begun", "commit",
                    "release (committed orders visible: 1)");
        }
    }

    @Test
    void anAdvisorOrderAfterTheTransactionAdvisorRunsTheLockInsideTheTransaction() {
        // The transaction advisor just ahead of the last place, the lock advisor last: a defined order.
        try (AnnotationConfigApplicationContext context = start(Ordered.LOWEST_PRECEDENCE,
                TransactionAdvisorBeforeLast.class)) {
            context.getBean(OrderRepository.class).placeOrder("o-1");
            assertThat(context.getBean(Events.class).list).containsExactly("transaction begun", "acquire",
                    "release (committed orders visible: 0)", "commit");
        }
    }

    private static AnnotationConfigApplicationContext start(int advisorOrder, Class<?> transactionOrder) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean("advisorOrder", Integer.class, () -> advisorOrder);
        context.register(TransactionalConfig.class, transactionOrder);
        context.refresh();
        return context;
    }

    static class Events {

        final List<String> list = new CopyOnWriteArrayList<>();

    }

    static class OrderRepository {

        private final JdbcTemplate jdbc;

        private final Events events;

        OrderRepository(JdbcTemplate jdbc, Events events) {
            this.jdbc = jdbc;
            this.events = events;
        }

        @Transactional
        @DistributedLock(name = "order", key = "#orderId")
        public void placeOrder(String orderId) {
            assertThat(TransactionSynchronizationManager.isActualTransactionActive()).isTrue();
            assertThat(LockContext.find()).isPresent();
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    OrderRepository.this.events.list.add("commit");
                }
            });
            this.jdbc.update("insert into orders(id) values (?)", orderId);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class DefaultTransactionOrder {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement(order = Ordered.LOWEST_PRECEDENCE - 1)
    static class TransactionAdvisorBeforeLast {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class TransactionalConfig {

        @Bean
        Events events() {
            return new Events();
        }

        @Bean(destroyMethod = "shutdown")
        DataSource dataSource() {
            return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
                .generateUniqueName(true)
                .addScript("classpath:orders-schema.sql")
                .build();
        }

        @Bean
        PlatformTransactionManager transactionManager(DataSource dataSource, Events events) {
            return new DataSourceTransactionManager(dataSource) {
                @Override
                protected void doBegin(Object transaction, TransactionDefinition definition) {
                    events.list.add("transaction begun");
                    super.doBegin(transaction, definition);
                }
            };
        }

        @Bean
        OrderRepository orderRepository(DataSource dataSource, Events events) {
            return new OrderRepository(new JdbcTemplate(dataSource), events);
        }

        @Bean
        RecordingLeaseBackend recordingLeaseBackend(Events events, DataSource dataSource) {
            // What another node would see at the moment the lock is handed over: a connection of its own, not the
            // one bound to this thread's transaction.
            return RecordingLeaseBackend.inMemory().recordEventsIn(events.list)
                .describeReleasesWith(() -> "release (committed orders visible: " + countOnNewConnection(dataSource) + ")");
        }

        @Bean(destroyMethod = "close")
        LockEngine lockClient(RecordingLeaseBackend backend) {
            return new LockEngine(backend);
        }

        @Bean
        DistributedLockSettings distributedLockSettings(Integer advisorOrder) {
            return DistributedLockSettings.defaults().withAdvisorOrder(advisorOrder);
        }

        private static int countOnNewConnection(DataSource dataSource) {
            try (Connection connection = dataSource.getConnection();
                    ResultSet count = connection.createStatement().executeQuery("select count(*) from orders")) {
                count.next();
                return count.getInt(1);
            }
            catch (SQLException ex) {
                throw new IllegalStateException(ex);
            }
        }

    }

}
