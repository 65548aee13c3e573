package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.redis.RedisConnections;
import io.github.distlock.redis.RedisLeaseBackend;
import io.github.distlock.redis.RedisLockOptions;
import io.github.distlock.redis.RedisTopology;
import io.github.distlock.testservers.FreePorts;
import io.github.distlock.testservers.RedisClusterGroup;
import io.github.distlock.testservers.RedisSentinelGroup;
import io.github.distlock.testservers.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.providers.PooledConnectionProvider;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The Redis backend's auto-configuration against real Redis servers started by the tests on free ports.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisBackendConfigurationTests {

    /** Short client timeouts, so that a test against a dead port fails fast. */
    private static final String SHORT_TIMEOUTS = "distributed-lock.redis.timeout=300ms";

    private static final String SHORT_CONNECT_TIMEOUT = "distributed-lock.redis.connect-timeout=300ms";

    private static final Duration LEASE = Duration.ofSeconds(30);

    private static final Duration RECOVERY = Duration.ofSeconds(15);

    private static final String UNREACHABLE_WARNING = "which did not answer at start-up";

    private static RedisServer redis;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class, SslAutoConfiguration.class));

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void redisIsDetectedWhenItsLibrariesAreOnTheClasspath(CapturedOutput output) {
        this.contextRunner.withPropertyValues("distributed-lock.redis.port=" + redis.port()).run(context -> {
            assertThat(context).hasSingleBean(RedisConnections.class);
            assertThat(context).getBean(LeaseBackend.class).isInstanceOf(RedisLeaseBackend.class);
            assertThat(context.getBean(LockClient.class).backendName()).isEqualTo("redis");
            assertThat(context.getBean(LockClient.class).supportsFencingTokens()).isTrue();
            assertLockIsStoredIn(redis, 0, context, "distlock:");
        });
        assertThat(output).doesNotContain("using the in-memory backend").doesNotContain(UNREACHABLE_WARNING);
    }

    @Test
    void explicitRedisBackendIsUsed() {
        this.contextRunner
            .withPropertyValues("distributed-lock.backend=redis", "distributed-lock.redis.port=" + redis.port())
            .run(context -> {
                assertThat(context).getBean(LeaseBackend.class).isInstanceOf(RedisLeaseBackend.class);
                assertLockIsStoredIn(redis, 0, context, "distlock:");
            });
    }

    @Test
    void explicitInMemoryBackendWinsOverDetectedRedis() {
        this.contextRunner.withPropertyValues("distributed-lock.backend=in-memory")
            .run(context -> assertThat(context).doesNotHaveBean(RedisConnections.class)
                .getBean(LeaseBackend.class)
                .isInstanceOf(InMemoryLeaseBackend.class));
    }

    @Test
    void withoutLockRedisOrJedisTheInMemoryBackendIsDetected() {
        for (Class<?> hidden : List.of(RedisLeaseBackend.class, UnifiedJedis.class)) {
            this.contextRunner.withClassLoader(new FilteredClassLoader(hidden))
                .run(context -> assertThat(context).doesNotHaveBean(RedisConnections.class)
                    .getBean(LeaseBackend.class)
                    .isInstanceOf(InMemoryLeaseBackend.class));
        }
    }

    @Test
    void explicitRedisBackendWithoutJedisFailsStartUpNamingTheMissingLibraries() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(UnifiedJedis.class))
            .withPropertyValues("distributed-lock.backend=redis")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(DistributedLockAutoConfigurationTests.propertyNamedBy(context.getStartupFailure()))
                    .hasValue("distributed-lock.backend");
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("redis.clients:jedis");
            });
    }

    @Test
    void userUnifiedJedisBeanIsUsedAndLeftOpen() {
        try (UnifiedJedis userClient = applicationOwnClient()) {
            // The application manages its client's life cycle: the context must not close it.
            this.contextRunner
                .withBean("userJedis", UnifiedJedis.class, () -> userClient,
                        definition -> definition.setDestroyMethodName(""))
                // Would fail if it were used: nothing listens there.
                .withPropertyValues("distributed-lock.redis.port=" + FreePorts.next(), SHORT_TIMEOUTS)
                .run(context -> {
                    assertThat(context).hasSingleBean(RedisConnections.class);
                    assertLockIsStoredIn(redis, 0, context, "distlock:");
                });
            assertThat(userClient.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aPoolOfOneConnectionKeepsServingLockCallsWhileAWaiterIsSubscribed() {
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.port=" + redis.port(), "distributed-lock.redis.pool.max-size=1")
            .run(context -> {
                LockClient client = context.getBean(LockClient.class);
                String key = randomKey();
                try (Jedis admin = redis.connect()) {
                    admin.psetex("distlock:{" + key + "}", 20000, "1:another-instance");
                }
                ExecutorService threads = Executors.newCachedThreadPool();
                try {
                    threads.submit(() -> client.acquire(LockRequest.of(key, LEASE).withWaitTime(Duration.ofSeconds(15))));
                    await().atMost(RECOVERY).until(() -> releaseSubscribers() >= 1);
                    Future<Optional<Lease>> other = threads.submit(() -> client.tryAcquire(LockRequest.of(randomKey(),
                            LEASE)));
                    other.get(RECOVERY.toMillis(), TimeUnit.MILLISECONDS).orElseThrow().release();
                }
                finally {
                    threads.shutdownNow();
                }
            });
    }

    @Test
    void aRedisThatStopsAnsweringFailsEachLockCallWithinTheTimeoutNamingServerAndKey() {
        Duration timeout = Duration.ofSeconds(1);
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.port=" + redis.port(),
                    "distributed-lock.redis.timeout=" + timeout.toMillis() + "ms",
                    "distributed-lock.redis.connect-timeout=" + timeout.toMillis() + "ms")
            .run(context -> {
                LockClient client = context.getBean(LockClient.class);
                client.tryAcquire(LockRequest.of(randomKey(), LEASE)).orElseThrow().release();
                String key = randomKey();
                redis.pause();
                try {
                    long start = System.nanoTime();
                    assertThatExceptionOfType(LockUnavailableException.class)
                        .isThrownBy(() -> client.tryAcquire(LockRequest.of(key, LEASE)))
                        .withMessageContaining("redis")
                        .withMessageContaining("localhost:" + redis.port())
                        .withMessageContaining(key);
                    // Generous slack for a loaded machine; retries that each wait the timeout would take 3 s.
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the call failed")
                        .isLessThan(timeout.multipliedBy(18).dividedBy(10));
                }
                finally {
                    redis.resume();
                }
            });
    }

    /** How many backends are subscribed to their hand-off channel. */
    private static long releaseSubscribers() {
        try (Jedis admin = redis.connect()) {
            return admin.pubsubChannels(RedisLockOptions.defaults().nodeChannelPrefix() + "*").size();
        }
    }

    @Test
    void ownPropertiesChooseServerDatabaseAndKeys() {
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.host=127.0.0.1", "distributed-lock.redis.port=" + redis.port(),
                    "distributed-lock.redis.database=2", "distributed-lock.redis.key-prefix=locks/",
                    "distributed-lock.redis.max-key-length=200", "distributed-lock.redis.token-retention=5s",
                    "distributed-lock.redis.replica-acknowledgement-timeout=250ms")
            .run(context -> {
                assertThat(context.getBean(RedisLeaseBackend.class).options())
                    .isEqualTo(new RedisLockOptions("locks/", 200, 0, Duration.ofMillis(250), Duration.ofSeconds(5)));
                assertLockIsStoredIn(redis, 2, context, "locks/");
            });
    }

    @Test
    void urlChoosesServerAndDatabase() {
        this.contextRunner.withPropertyValues("distributed-lock.redis.url=redis://127.0.0.1:" + redis.port() + "/3")
            .run(context -> assertLockIsStoredIn(redis, 3, context, "distlock:"));
    }

    @Test
    void springDataRedisPropertiesAreUsedWhenOwnAreAbsent() {
        this.contextRunner.withPropertyValues("spring.data.redis.port=" + redis.port(), "spring.data.redis.database=4")
            .run(context -> assertLockIsStoredIn(redis, 4, context, "distlock:"));
    }

    @Test
    void springDataRedisUrlIsUsedWhenOwnPropertiesAreAbsent() {
        this.contextRunner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:" + redis.port() + "/5")
            .run(context -> assertLockIsStoredIn(redis, 5, context, "distlock:"));
    }

    @Test
    void ownPropertiesWinOverSpringDataRedis() {
        this.contextRunner
            .withPropertyValues("spring.data.redis.port=" + FreePorts.next(),
                    "distributed-lock.redis.port=" + redis.port())
            .run(context -> assertLockIsStoredIn(redis, 0, context, "distlock:"));
    }

    @Test
    void withNothingConfiguredTheAddressIsLocalhost6379() {
        // Resolved without connecting: the tests never touch the well-known port.
        RedisLockProperties own = new RedisLockProperties();
        StandardEnvironment environment = environment(Map.of());
        RedisConnectionSettings settings = RedisConnectionSettings.resolve(
                RedisConnectionSettings.fromProperties(own, environment, null), own, environment);
        assertThat(settings.topology()).isEqualTo(RedisTopology.standalone("localhost", 6379));
        assertThat(settings.description()).contains("localhost:6379").contains("defaults");
        assertThat(settings.clientConfig().getSocketTimeoutMillis()).isEqualTo(2000);
        assertThat(settings.clientConfig().getConnectionTimeoutMillis()).isEqualTo(2000);
    }

    @Test
    void timeoutsComeFromOwnPropertiesThenFromSpringDataRedis() {
        RedisLockProperties own = new RedisLockProperties();
        own.setTimeout(Duration.ofMillis(700));
        StandardEnvironment environment = environment(Map.of("spring.data.redis.host", "redis.example",
                "spring.data.redis.timeout", "900ms", "spring.data.redis.connect-timeout", "300ms"));
        RedisConnectionSettings settings = RedisConnectionSettings.resolve(
                RedisConnectionSettings.fromProperties(own, environment, null), own, environment);
        assertThat(settings.topology()).isEqualTo(RedisTopology.standalone("redis.example", 6379));
        assertThat(settings.clientConfig().getSocketTimeoutMillis()).isEqualTo(700);
        assertThat(settings.clientConfig().getConnectionTimeoutMillis()).isEqualTo(300);
    }

    @Test
    void redisDownAtStartUpGivesAWarningThenLockUnavailableThenRecovers(CapturedOutput output) {
        int port = FreePorts.next();
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.port=" + port, SHORT_TIMEOUTS, SHORT_CONNECT_TIMEOUT)
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(output).contains(UNREACHABLE_WARNING).contains("localhost:" + port);
                LockClient locks = context.getBean(LockClient.class);
                String key = randomKey();
                assertThatExceptionOfType(LockUnavailableException.class)
                    .isThrownBy(() -> locks.tryAcquire(LockRequest.of(key, LEASE)));
                try (RedisServer late = RedisServer.start(port, List.of())) {
                    await().atMost(RECOVERY).ignoreException(LockUnavailableException.class).untilAsserted(() -> {
                        Optional<Lease> lease = locks.tryAcquire(LockRequest.of(key, LEASE));
                        assertThat(lease).isPresent();
                        lease.get().release();
                    });
                }
            });
    }

    @Test
    void startUpWithRedisDownIsBoundedByTheTimeouts() {
        long start = System.nanoTime();
        this.contextRunner
            .withPropertyValues("distributed-lock.redis.port=" + FreePorts.next(), SHORT_TIMEOUTS,
                    SHORT_CONNECT_TIMEOUT)
            .run(context -> assertThat(context).hasNotFailed());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aclUserWithPasswordConnectsAndLocks() {
        try (RedisServer secured = startWithAclUser()) {
            this.contextRunner
                .withPropertyValues("distributed-lock.redis.port=" + secured.port(),
                        "distributed-lock.redis.username=locker", "distributed-lock.redis.password=s3cret")
                .run(context -> assertLockIsStoredIn(secured, 0, context, "distlock:"));
        }
    }

    @Test
    void rejectedCredentialsFailStartUpNamingTheirProperty(CapturedOutput output) {
        try (RedisServer secured = startWithAclUser()) {
            String port = Integer.toString(secured.port());
            assertStartUpFailsNaming("distributed-lock.redis.password", "distributed-lock.redis.port=" + port,
                    "distributed-lock.redis.username=locker", "distributed-lock.redis.password=wrong");
            assertStartUpFailsNaming("distributed-lock.redis.password", "distributed-lock.redis.port=" + port,
                    "distributed-lock.redis.username=stranger", "distributed-lock.redis.password=s3cret");
            assertStartUpFailsNaming("distributed-lock.redis.password", "distributed-lock.redis.port=" + port);
            assertStartUpFailsNaming("distributed-lock.redis.url",
                    "distributed-lock.redis.url=redis://locker:wrong@127.0.0.1:" + port);
            assertStartUpFailsNaming("spring.data.redis.password", "spring.data.redis.port=" + port,
                    "spring.data.redis.username=locker", "spring.data.redis.password=wrong");
        }
        assertThat(output).doesNotContain("wrong@").doesNotContain("password=wrong");
    }

    @Test
    void sentinelPropertiesGiveAWorkingBackend() {
        try (RedisSentinelGroup sentinels = RedisSentinelGroup.start("mymaster")) {
            String nodes = String.join(",",
                    sentinels.sentinelPorts().stream().map(port -> "127.0.0.1:" + port).toList());
            this.contextRunner
                .withPropertyValues("distributed-lock.redis.sentinel.master=mymaster",
                        "distributed-lock.redis.sentinel.nodes=" + nodes)
                .run(context -> assertLockIsStoredIn(sentinels.initialMaster(), 0, context, "distlock:"));
        }
    }

    @Test
    void springDataRedisSentinelPropertiesGiveAWorkingBackend() {
        try (RedisSentinelGroup sentinels = RedisSentinelGroup.start("mymaster")) {
            this.contextRunner
                .withPropertyValues("spring.data.redis.sentinel.master=mymaster",
                        "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinels.sentinelPorts().get(0))
                .run(context -> assertLockIsStoredIn(sentinels.initialMaster(), 0, context, "distlock:"));
        }
    }

    @Test
    void clusterPropertiesGiveAWorkingBackend() {
        try (RedisClusterGroup cluster = RedisClusterGroup.start()) {
            this.contextRunner
                .withPropertyValues("distributed-lock.redis.cluster.nodes=127.0.0.1:" + cluster.nodes().get(0).port())
                .run(context -> {
                    assertThat(context.getBean(LockClient.class).backendName()).isEqualTo("redis");
                    LockClient locks = context.getBean(LockClient.class);
                    for (int i = 0; i < 10; i++) {
                        String key = randomKey();
                        Lease lease = locks.tryAcquire(LockRequest.of(key, LEASE)).orElseThrow();
                        assertThat(locks.tryAcquire(LockRequest.of(key, LEASE).withReentrant(false))).isEmpty();
                        lease.release();
                    }
                });
        }
    }

    @Test
    void unknownSslBundleFailsStartUpNamingTheProperty() {
        assertStartUpFailsNaming("distributed-lock.redis.ssl.bundle", "distributed-lock.redis.port=" + redis.port(),
                "distributed-lock.redis.ssl.bundle=nowhere");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            redis.url=http://localhost:6379                 | distributed-lock.redis.url
            redis.url=redis://                              | distributed-lock.redis.url
            redis.url=redis://localhost:6379/x              | distributed-lock.redis.url
            redis.url=redis://local host                    | distributed-lock.redis.url
            redis.port=0                                    | distributed-lock.redis.port
            redis.port=65536                                | distributed-lock.redis.port
            redis.port=-1                                   | distributed-lock.redis.port
            redis.port=abc                                  | distributed-lock.redis.port
            redis.database=-1                               | distributed-lock.redis.database
            redis.timeout=-1s                               | distributed-lock.redis.timeout
            redis.timeout=0s                                | distributed-lock.redis.timeout
            redis.connect-timeout=-5ms                      | distributed-lock.redis.connect-timeout
            redis.pool.max-size=0                           | distributed-lock.redis.pool.max-size
            redis.sentinel.master=mymaster                  | distributed-lock.redis.sentinel.nodes
            redis.sentinel.nodes=127.0.0.1:26379            | distributed-lock.redis.sentinel.master
            redis.cluster.nodes=127.0.0.1                   | distributed-lock.redis.cluster.nodes
            redis.cluster.nodes=127.0.0.1:99999             | distributed-lock.redis.cluster.nodes
            redis.max-key-length=0                          | distributed-lock.redis.max-key-length
            redis.replica-acknowledgements=-1               | distributed-lock.redis.replica-acknowledgements
            redis.replica-acknowledgement-timeout=0ms       | distributed-lock.redis.replica-acknowledgement-timeout
            redis.token-retention=0s                        | distributed-lock.redis.token-retention
            """)
    void invalidValueFailsStartUpNamingTheProperty(String setting, String property) {
        assertStartUpFailsNaming(property, "distributed-lock." + setting);
    }

    @Test
    void conflictingTopologiesFailStartUpNamingTheProperty() {
        assertStartUpFailsNaming("distributed-lock.redis.cluster.nodes",
                "distributed-lock.redis.sentinel.master=mymaster",
                "distributed-lock.redis.sentinel.nodes=127.0.0.1:26379",
                "distributed-lock.redis.cluster.nodes=127.0.0.1:7000");
        assertStartUpFailsNaming("distributed-lock.redis.database", "distributed-lock.redis.database=1",
                "distributed-lock.redis.cluster.nodes=127.0.0.1:7000");
    }

    @Test
    void invalidSpringDataRedisValueFailsStartUpNamingTheProperty() {
        assertStartUpFailsNaming("spring.data.redis.url", "spring.data.redis.url=http://localhost");
        assertStartUpFailsNaming("spring.data.redis.port", "spring.data.redis.port=70000");
        assertStartUpFailsNaming("spring.data.redis.sentinel.nodes", "spring.data.redis.sentinel.master=mymaster");
    }

    @Test
    void ownClientAndBackendAreClosedWithTheContext() {
        RedisConnections[] client = new RedisConnections[1];
        this.contextRunner.withPropertyValues("distributed-lock.redis.port=" + redis.port())
            .run(context -> client[0] = context.getBean(RedisConnections.class));
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(client[0]::ping)
            .withMessageContaining("closed");
    }

    @Test
    void severalUserClientsWithoutAPrimaryFailStartUpWithAClearMessage() {
        try (UnifiedJedis one = applicationOwnClient(); UnifiedJedis two = applicationOwnClient()) {
            this.contextRunner.withBean("one", UnifiedJedis.class, () -> one)
                .withBean("two", UnifiedJedis.class, () -> two)
                .run(context -> assertThat(context).hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("@Primary"));
        }
    }

    private void assertStartUpFailsNaming(String property, String... properties) {
        this.contextRunner.withPropertyValues(SHORT_TIMEOUTS).withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            assertThat(DistributedLockAutoConfigurationTests.propertyNamedBy(context.getStartupFailure())).as("property named by %s",
                    context.getStartupFailure()).hasValue(property);
        });
    }

    // Built with the Jedis API that exists from 7.0 through 8.x, like any client the application might declare.
    private static UnifiedJedis applicationOwnClient() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().build();
        return new UnifiedJedis(new PooledConnectionProvider(new HostAndPort(redis.host(), redis.port()), config), 3,
                Duration.ofSeconds(6));
    }

    private static RedisServer startWithAclUser() {
        return RedisServer.start("--user", "locker", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off");
    }

    /**
     * Takes a lease through the context's client and checks that the key exists in the given server and database.
     */
    static void assertLockIsStoredIn(RedisServer server, int database, AssertableApplicationContext context,
            String keyPrefix) {
        assertThat(context).hasNotFailed();
        String key = randomKey();
        Lease lease = context.getBean(LockClient.class).tryAcquire(LockRequest.of(key, LEASE)).orElseThrow();
        try (Jedis connection = server.connect()) {
            authenticateIfNeeded(connection);
            connection.select(database);
            String stored = keyPrefix + "{" + key + "}";
            assertThat(connection.get(stored)).endsWith(":" + lease.ownerToken());
            lease.release();
            assertThat(connection.get(stored)).as("what a release keeps: the last fencing token only")
                .isEqualTo(Long.toString(lease.fencingToken().getAsLong()));
        }
    }

    private static void authenticateIfNeeded(Jedis connection) {
        try {
            connection.ping();
        }
        catch (JedisDataException ex) {
            connection.auth("locker", "s3cret");
        }
    }

    private static String randomKey() {
        return "order:" + UUID.randomUUID();
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }

}
