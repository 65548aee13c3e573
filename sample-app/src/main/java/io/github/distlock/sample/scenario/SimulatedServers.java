package io.github.distlock.sample.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.autoconfigure.LockBackendType;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.core.spi.LeaseBackend;
import io.github.distlock.sample.shop.CheckoutService;
import io.github.distlock.sample.shop.FlashSaleService;
import io.github.distlock.sample.shop.JobLedger;
import io.github.distlock.sample.shop.OrderRepository;
import io.github.distlock.sample.shop.PaymentLedger;
import io.github.distlock.sample.shop.PausingCheckout;
import io.github.distlock.sample.shop.PaymentProvider;
import io.github.distlock.sample.shop.ReportJob;
import io.github.distlock.sample.shop.Settlement;
import io.github.distlock.sample.shop.StockRepository;
import io.github.distlock.sample.shop.TaskBoard;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.interceptor.AnnotationDistributedLockOperationSource;
import io.github.distlock.spring.interceptor.DistributedLockInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;

/**
 * The simulated servers of the demo page. Each is as separate from the others as two application instances are
 * where it matters: it has its own {@link LockClient}, made by the starter's auto-configuration from this
 * application's {@code distributed-lock.*} and {@code spring.datasource.*} properties in a small context of its own,
 * so it has its own engine and its own backend client with its own connections (for a backend that locks in the
 * database, its own connection pool). They share the shop's database, as real instances do.
 *
 * <p>The one exception is the in-memory backend, which by nature exists once per JVM: there the servers get their
 * own engines over one shared in-memory backend (this application's, if it has one).
 *
 * <p>Lock clients are created on first use and kept until the application stops. Thread-safe.
 */
@Component
public class SimulatedServers implements DisposableBean {

    private final ConfigurableEnvironment environment;

    private final ObjectProvider<LeaseBackend> applicationBackend;

    private final OrderRepository orders;

    private final PaymentLedger ledger;

    private final StockRepository stock;

    private final JobLedger jobs;

    private final TaskBoard tasks;

    // Guarded by this: the engines of crashed servers, closed with the next run or at shutdown.
    private final List<LockEngine> crashedEngines = new ArrayList<>();

    private final TransactionInterceptor transactions;

    private final EmbeddedValueResolver valueResolver;

    // Guarded by this: created by the scenario runner's requests, closed at shutdown.
    private final List<AnnotationConfigApplicationContext> lockContexts = new ArrayList<>();

    private @Nullable LeaseBackend sharedInMemoryBackend;

    // Guarded by this: created with the first locked run, from the first simulated server's settings (the same
    // properties as every other's).
    private @Nullable LockAdvice lockAdvice;

    SimulatedServers(ConfigurableEnvironment environment, ObjectProvider<LeaseBackend> applicationBackend,
            PlatformTransactionManager transactionManager, ConfigurableBeanFactory beanFactory, OrderRepository orders,
            PaymentLedger ledger, StockRepository stock, JobLedger jobs, TaskBoard tasks) {
        this.environment = environment;
        this.applicationBackend = applicationBackend;
        this.orders = orders;
        this.ledger = ledger;
        this.stock = stock;
        this.jobs = jobs;
        this.tasks = tasks;
        this.transactions = new TransactionInterceptor(transactionManager, new AnnotationTransactionAttributeSource());
        this.valueResolver = new EmbeddedValueResolver(beanFactory);
    }

    /**
     * Prepares simulated servers for one run.
     * @param count how many
     * @param locked whether their services take the lock
     * @param paymentTime how long their payment provider takes, and one step of a settlement
     * @param firstCrashes whether the first server crashes in the middle of its settlement: its lock client then
     *     has a way to the lock service of its own, which the crash cuts
     * @return the servers, named {@code server-1} and on
     */
    synchronized List<SimulatedServer> prepare(int count, boolean locked, Duration paymentTime,
            boolean firstCrashes) {
        // The crashed server of the previous run is gone for good: its engine is closed (its releases fail).
        this.crashedEngines.forEach(LockEngine::close);
        this.crashedEngines.clear();
        PaymentProvider payments = new PaymentProvider(paymentTime);
        List<SimulatedServer> servers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = "server-" + (i + 1);
            CheckoutService checkout = new CheckoutService(this.orders, this.ledger, payments, name);
            FlashSaleService sale = new FlashSaleService(this.stock, payments, name);
            Runnable crash = () -> {
            };
            LockClient lockClient = locked ? lockClient(i) : null;
            if (locked && firstCrashes && i == 0) {
                SeverableBackend severable = new SeverableBackend(lockContext(0).getBean(LeaseBackend.class));
                LockEngine engine = new LockEngine(severable, lockContext(0).getBean(LockEngineSettings.class));
                this.crashedEngines.add(engine);
                lockClient = engine;
                crash = severable::sever;
            }
            Settlement settlement = new Settlement(this.tasks, paymentTime, (firstCrashes && i == 0) ? 2 : -1, crash);
            WaitCountingLockClient client = (lockClient != null) ? new WaitCountingLockClient(lockClient) : null;
            ReportJob job = new ReportJob(this.jobs, name, paymentTime);
            PausingCheckout paused = new PausingCheckout(this.orders, this.ledger, name);
            servers.add(new SimulatedServer(name, proxy(checkout, client), proxy(sale, client), proxy(job, client),
                    proxy(paused, client), proxy(settlement, client), client));
        }
        return servers;
    }

    /**
     * Returns the name of the backend the simulated servers lock with.
     * @return the backend name, for example {@code redis}
     */
    synchronized String backendName() {
        return lockClient(0).backendName();
    }

    // The same advice as on the application's own beans, in the same order: the lock wraps the transaction.
    private <T> T proxy(T target, @Nullable LockClient lockClient) {
        ProxyFactory factory = new ProxyFactory(target);
        factory.setProxyTargetClass(true);
        if (lockClient != null) {
            LockAdvice advice = lockAdvice();
            factory.addAdvice(new DistributedLockInterceptor(advice.operationSource(), () -> lockClient,
                    advice::settings));
        }
        factory.addAdvice(this.transactions);
        @SuppressWarnings("unchecked")
        T proxy = (T) factory.getProxy(getClass().getClassLoader());
        return proxy;
    }

    private LockAdvice lockAdvice() {
        if (this.lockAdvice == null) {
            DistributedLockSettings settings = lockContext(0).getBean(DistributedLockSettings.class);
            AnnotationDistributedLockOperationSource source = new AnnotationDistributedLockOperationSource(
                    () -> settings);
            source.setEmbeddedValueResolver(this.valueResolver);
            this.lockAdvice = new LockAdvice(source, settings);
        }
        return this.lockAdvice;
    }

    private LockClient lockClient(int index) {
        return lockContext(index).getBean(LockClient.class);
    }

    private AnnotationConfigApplicationContext lockContext(int index) {
        while (this.lockContexts.size() <= index) {
            this.lockContexts.add(createLockContext());
        }
        return this.lockContexts.get(index);
    }

    private AnnotationConfigApplicationContext createLockContext() {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.setEnvironment(lockEnvironment());
        LeaseBackend shared = sharedInMemoryBackend();
        if (shared != null) {
            context.registerBean("simulatedServerLeaseBackend", LeaseBackend.class, () -> shared);
        }
        context.register(LockClientConfiguration.class);
        context.refresh();
        return context;
    }

    // The application's properties, with locking switched on: the page runs locked scenarios even when
    // sample.locking=false switched the application's own locks off.
    private ConfigurableEnvironment lockEnvironment() {
        StandardEnvironment lockEnvironment = new StandardEnvironment();
        MutablePropertySources sources = lockEnvironment.getPropertySources();
        // The application's sources include the system properties and environment variables, in their place.
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        sources.addFirst(new MapPropertySource("simulatedServer", Map.of("distributed-lock.enabled", "true",
                "spring.datasource.hikari.maximum-pool-size", "2",
                "spring.datasource.hikari.pool-name", "simulated-server-" + (this.lockContexts.size() + 1))));
        for (PropertySource<?> source : this.environment.getPropertySources()) {
            if (!ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                sources.addLast(source);
            }
        }
        ConfigurationPropertySources.attach(lockEnvironment);
        return lockEnvironment;
    }

    private @Nullable LeaseBackend sharedInMemoryBackend() {
        LockBackendType backend = Binder.get(this.environment)
            .bind("distributed-lock.backend", LockBackendType.class)
            .orElse(null);
        if (backend != LockBackendType.IN_MEMORY) {
            return null;
        }
        if (this.sharedInMemoryBackend == null) {
            LeaseBackend own = this.applicationBackend.getIfAvailable();
            this.sharedInMemoryBackend = (own instanceof InMemoryLeaseBackend) ? own : new InMemoryLeaseBackend();
        }
        return this.sharedInMemoryBackend;
    }

    @Override
    public synchronized void destroy() {
        this.crashedEngines.forEach(LockEngine::close);
        this.crashedEngines.clear();
        for (AnnotationConfigApplicationContext context : this.lockContexts) {
            context.close();
        }
        this.lockContexts.clear();
    }

    /**
     * What a simulated server's context holds: the starter's auto-configuration, and a data source of its own for a
     * backend that locks in the database (its pool opens no connection until the backend asks for one).
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DistributedLockAutoConfiguration.class })
    static class LockClientConfiguration {

    }

    private record LockAdvice(AnnotationDistributedLockOperationSource operationSource,
            DistributedLockSettings settings) {
    }

    /**
     * One simulated server.
     *
     * @param name its name, recorded with its charges and sales
     * @param checkout its checkout service
     * @param sale its flash-sale service
     * @param lockClient its lock client, counting waits; {@code null} when the run is unlocked
     */
    record SimulatedServer(String name, CheckoutService checkout, FlashSaleService sale, ReportJob job,
            PausingCheckout paused, Settlement settlement, @Nullable WaitCountingLockClient lockClient) {
    }

}
