package io.github.distlock.benchmarks.contenders;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Spring Integration's {@link JdbcLockRegistry} over a {@link DefaultLockRepository} on PostgreSQL, with their
 * defaults (time to live 10 s, a retry every 100 ms while waiting). Outside an application context the repository
 * gets its transaction manager explicitly (a {@link DataSourceTransactionManager} over the node's pool) and the two
 * initialisation calls a context would make; {@code start()} checks that the {@code INT_LOCK} table exists. Each
 * node has its own repository (one per registry, as Spring Integration requires), registry and connection pool.
 */
final class SpringIntegrationJdbcContender extends PostgresContender {

    private static final String SCHEMA = "org/springframework/integration/jdbc/schema-postgresql.sql";

    SpringIntegrationJdbcContender(String jdbcUrl) {
        super(jdbcUrl);
    }

    @Override
    Node open() {
        HikariDataSource pool = pool();
        DefaultLockRepository repository = new DefaultLockRepository(pool);
        repository.setTransactionManager(new DataSourceTransactionManager(pool));
        repository.afterPropertiesSet();
        repository.afterSingletonsInstantiated();
        repository.start();
        JdbcLockRegistry registry = new JdbcLockRegistry(repository);
        return Node.of((key, wait) -> RedissonContender.tryLock(registry.obtain(key), wait), pool::close);
    }

    /**
     * Returns the {@code CREATE TABLE INT_LOCK} statement of the PostgreSQL script in Spring Integration's jar (the
     * script also creates the message store's tables, which the lock does not need).
     * @return the statement, without its semicolon
     */
    static String createTable() {
        String script;
        try (InputStream in = SpringIntegrationJdbcContender.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException("No " + SCHEMA + " on the class path");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        int start = script.indexOf("CREATE TABLE INT_LOCK");
        if (start < 0) {
            throw new IllegalStateException(SCHEMA + " creates no INT_LOCK table");
        }
        return script.substring(start, script.indexOf(';', start)).replace("CREATE TABLE INT_LOCK",
                "CREATE TABLE IF NOT EXISTS INT_LOCK");
    }

}
