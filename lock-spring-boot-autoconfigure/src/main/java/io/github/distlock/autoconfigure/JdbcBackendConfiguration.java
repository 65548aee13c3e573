package io.github.distlock.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;

import javax.sql.DataSource;

import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.jdbc.JdbcLeaseBackend;
import io.github.distlock.jdbc.JdbcLockOptions;
import io.github.distlock.jdbc.JdbcLockSchema;
import io.github.distlock.jdbc.JdbcPlatform;

import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.util.ClassUtils;

/**
 * Creates the {@link JdbcLeaseBackend} when {@code distributed-lock.backend=jdbc}, or when the property is not set,
 * lock-jdbc is on the classpath and the application has a {@link DataSource}.
 *
 * <p>The data source is the one named by {@code distributed-lock.jdbc.data-source}, else the application's only (or
 * primary) one. A {@code TransactionAwareDataSourceProxy} is looked through, so that lock statements always run on
 * connections of their own and never join the caller's transaction. The lock table is created at start-up when
 * {@code distributed-lock.jdbc.initialize-schema} says so (by default only on H2), and then checked: a missing table,
 * missing rights or a table name that is not a plain identifier fail start-up. A {@link JdbcLockOptions} bean of
 * the application replaces the options built from {@code distributed-lock.jdbc.*}. On PostgreSQL, releases are
 * announced to waiters with {@code NOTIFY}; the listening connection comes from the same data source. Start-up
 * failures of the backend are reported by the failure analyzers {@link LockTableFailureAnalyzer} and
 * {@link LockDatabaseAccessFailureAnalyzer}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ JdbcLeaseBackend.class, DatabaseInitializationMode.class })
@EnableConfigurationProperties(JdbcLockProperties.class)
@ConditionalOnMissingBean(LeaseBackend.class)
@Conditional({ LockBackendCondition.class, JdbcBackendConfiguration.ChosenOrDataSourcePresent.class })
class JdbcBackendConfiguration {

    private static final String TRANSACTION_AWARE_PROXY =
            "org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy";

    @Bean(destroyMethod = "close")
    JdbcLeaseBackend jdbcLeaseBackend(JdbcLockProperties properties, ListableBeanFactory beanFactory,
            ObjectProvider<JdbcLockOptions> applicationOptions) {
        DataSource dataSource = dataSource(properties, beanFactory);
        JdbcLockOptions options = applicationOptions.getIfAvailable(() -> options(properties));
        if (createsSchema(properties.getInitializeSchema(), options, dataSource)) {
            JdbcLockSchema.createIfMissing(dataSource, options);
        }
        return JdbcLeaseBackend.create(dataSource, options);
    }

    // A SELECT 1 and a read of no rows of the lock table, on a connection of their own within the query timeout:
    // the database answers, and the table is there and readable by the lock's user.
    @Bean
    LockBackendStatus jdbcLockBackendStatus(JdbcLockProperties properties, ListableBeanFactory beanFactory,
            JdbcLeaseBackend backend) {
        DataSource dataSource = dataSource(properties, beanFactory);
        JdbcLockOptions options = backend.options();
        String table = ((options.schema() != null) ? options.schema() + "." : "") + options.tableName();
        int timeoutSeconds = (int) Math.max(1, options.queryTimeout().toSeconds());
        return new LockBackendStatus(() -> Map.of("platform", backend.platform().name(), "table", table,
                "queryTimeout", options.queryTimeout().toString()), () -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        statement.setQueryTimeout(timeoutSeconds);
                        statement.execute("SELECT 1");
                        statement.execute("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0");
                        return Map.of("database", connection.getMetaData().getDatabaseProductName(), "table",
                                table);
                    }
                });
    }

    private static JdbcLockOptions options(JdbcLockProperties properties) {
        JdbcLockOptions defaults = JdbcLockOptions.defaults();
        return SettingsFromProperties.build(JdbcLockProperties.PREFIX,
                SettingsFromProperties.names("schema", "database-schema", "tableName", "table-name", "queryTimeout",
                        "query-timeout", "expiredRowRetention", "expired-row-retention"),
                () -> new JdbcLockOptions(properties.getDatabaseSchema(), properties.getTableName(),
                        defaults.maxKeyLength(), properties.getQueryTimeout(), properties.getExpiredRowRetention(),
                        defaults.cleanupInterval(), defaults.cleanupBatchSize(), defaults.platform(),
                        properties.isReleaseNotification()));
    }

    // EMBEDDED means H2, whatever its URL: the database of development and tests, which has no migrations. (Boot's
    // own test for an embedded database looks at in-memory URLs only, which would leave a file-based H2 without its
    // table.)
    private static boolean createsSchema(DatabaseInitializationMode mode, JdbcLockOptions options,
            DataSource dataSource) {
        return switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case EMBEDDED -> ((options.platform() != null) ? options.platform() : JdbcPlatform.detect(dataSource))
                    == JdbcPlatform.H2;
        };
    }

    private static DataSource dataSource(JdbcLockProperties properties, ListableBeanFactory beanFactory) {
        String name = properties.getDataSource();
        DataSource dataSource;
        if (name != null) {
            try {
                dataSource = beanFactory.getBean(name, DataSource.class);
            }
            catch (NoSuchBeanDefinitionException | BeanNotOfRequiredTypeException ex) {
                throw new InvalidConfigurationPropertyValueException(JdbcLockProperties.PREFIX + ".data-source", name,
                        "no DataSource bean has this name");
            }
        }
        else {
            dataSource = beanFactory.getBeanProvider(DataSource.class).getIfUnique();
            if (dataSource == null) {
                String[] names = beanFactory.getBeanNamesForType(DataSource.class);
                if (names.length == 0) {
                    throw new InvalidConfigurationPropertyValueException(LockBackendCondition.PROPERTY, "jdbc",
                            "needs a DataSource bean: configure spring.datasource.url or declare one");
                }
                throw new IllegalStateException("The application has several DataSource beans "
                        + Arrays.toString(names) + " and none is @Primary: set " + JdbcLockProperties.PREFIX
                        + ".data-source to the one for locks, or mark one @Primary");
            }
        }
        if (ClassUtils.isPresent(TRANSACTION_AWARE_PROXY, JdbcBackendConfiguration.class.getClassLoader())) {
            dataSource = TransactionAwareProxies.lookThrough(dataSource);
        }
        return dataSource;
    }

    /**
     * Matches when the JDBC backend was chosen explicitly (a missing data source then fails start-up with a message),
     * or when a data source exists for detection.
     */
    static class ChosenOrDataSourcePresent extends AnyNestedCondition {

        ChosenOrDataSourcePresent() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = LockBackendCondition.PROPERTY, havingValue = "jdbc")
        static class Chosen {

        }

        @ConditionalOnBean(DataSource.class)
        static class DataSourcePresent {

        }

    }

    /** Loaded only when spring-jdbc is on the classpath. */
    private static final class TransactionAwareProxies {

        static DataSource lookThrough(DataSource dataSource) {
            DataSource target = dataSource;
            // Its connections are those of the current transaction: a lock statement on one would commit or roll
            // back with the caller's work.
            while (target instanceof TransactionAwareDataSourceProxy proxy && proxy.getTargetDataSource() != null) {
                target = proxy.getTargetDataSource();
            }
            return target;
        }

    }

}
