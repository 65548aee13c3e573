package io.github.distlock.aspectjtests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.EnableDistributedLock;
import io.github.distlock.spring.aspectj.WovenLockSupport;
import io.github.distlock.spring.interceptor.DistributedLockAdvisor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A bean that calls its own locked method: behind the default proxies the call goes past the lock and races; in
 * the AspectJ mode, with the class woven at compile time, it is locked, as are private and static methods.
 */
class SelfInvocationTests {

    private static final int THREADS = 6;

    private static final int CALLS_PER_THREAD = 15;

    @Test
    void selfInvokedLockedMethodRacesBehindAProxy() throws Exception {
        RaceProbe probe = new RaceProbe();
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.registerBean(RaceProbe.class, () -> probe);
            context.register(ProxyModeConfiguration.class);
            context.refresh();
            ProxiedSelfInvokingLedger ledger = context.getBean(ProxiedSelfInvokingLedger.class);
            hammer(ledger::post);
        }
        assertThat(probe.overlaps()).as("overlapping runs of the self-invoked method").isPositive();
        assertThat(probe.balance()).as("updates kept").isLessThan(probe.runs());
    }

    @Test
    void selfInvokedLockedMethodIsLockedWhenWoven() throws Exception {
        RaceProbe probe = new RaceProbe();
        try (AnnotationConfigApplicationContext context = aspectJModeContext(probe)) {
            SelfInvokingLedger ledger = context.getBean(SelfInvokingLedger.class);
            assertThat(ledger.getClass()).as("no proxy in the AspectJ mode").isEqualTo(SelfInvokingLedger.class);
            hammer(ledger::post);
        }
        assertLockedRuns(probe);
    }

    @Test
    void privateLockedMethodIsLockedWhenWoven() throws Exception {
        RaceProbe probe = new RaceProbe();
        try (AnnotationConfigApplicationContext context = aspectJModeContext(probe)) {
            hammer(context.getBean(SelfInvokingLedger.class)::postPrivately);
        }
        assertLockedRuns(probe);
    }

    @Test
    void staticLockedMethodIsLockedWhenWoven() throws Exception {
        RaceProbe probe = new RaceProbe();
        try (AnnotationConfigApplicationContext context = aspectJModeContext(probe)) {
            hammer(() -> SelfInvokingLedger.addStatically(probe));
        }
        assertLockedRuns(probe);
    }

    @Test
    void fencingTokenReachesTheWovenMethodAndGrowsWithEachGrant() {
        try (AnnotationConfigApplicationContext context = aspectJModeContext(new RaceProbe())) {
            SelfInvokingLedger ledger = context.getBean(SelfInvokingLedger.class);
            long first = ledger.postWithToken();
            long second = ledger.postWithToken();
            assertThat(first).as("the token passed to the woven method").isPositive();
            assertThat(second).isGreaterThan(first);
        }
    }

    @Test
    void wovenLockedMethodWithoutAConfiguredAspectFailsAndDoesNotRun() {
        RaceProbe probe = new RaceProbe();
        SelfInvokingLedger ledger = new SelfInvokingLedger(probe);
        assertThatIllegalStateException().isThrownBy(ledger::post)
            .withMessageContaining("SelfInvokingLedger.add()")
            .withMessageContaining("@EnableDistributedLock(mode = AdviceMode.ASPECTJ)");
        assertThat(probe.runs()).as("runs of the unlocked method").isZero();
    }

    @Test
    void closedContextLeavesTheAspectUnconfigured() {
        RaceProbe probe = new RaceProbe();
        SelfInvokingLedger ledger;
        try (AnnotationConfigApplicationContext context = aspectJModeContext(probe)) {
            ledger = context.getBean(SelfInvokingLedger.class);
            ledger.post();
        }
        assertThatIllegalStateException().isThrownBy(ledger::post);
        assertThat(probe.runs()).isEqualTo(1);
    }

    @Test
    void unwovenBeanWithLockedMethodsFailsStartUpInTheAspectJMode() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.registerBean(RaceProbe.class, RaceProbe::new);
            context.register(AspectJModeConfiguration.class, UnwovenBeanConfiguration.class);
            assertThatExceptionOfType(BeanCreationException.class).isThrownBy(context::refresh)
                .withMessageContaining("ProxiedSelfInvokingLedger")
                .withMessageContaining("was not woven");
        }
    }

    @Test
    void bootPropertyModeAspectjLocksWovenBeansWithoutAnAdvisor() {
        RaceProbe probe = new RaceProbe();
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
            .withPropertyValues("distributed-lock.backend=in-memory", "distributed-lock.mode=aspectj")
            .withBean(SelfInvokingLedger.class, () -> new SelfInvokingLedger(probe))
            .run(context -> {
                assertThat(context).hasNotFailed().hasSingleBean(WovenLockSupport.class)
                    .doesNotHaveBean(DistributedLockAdvisor.class);
                hammer(context.getBean(SelfInvokingLedger.class)::post);
            });
        assertLockedRuns(probe);
    }

    private static AnnotationConfigApplicationContext aspectJModeContext(RaceProbe probe) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean(RaceProbe.class, () -> probe);
        context.register(AspectJModeConfiguration.class, WovenBeanConfiguration.class);
        context.refresh();
        return context;
    }

    private static void assertLockedRuns(RaceProbe probe) {
        assertThat(probe.runs()).isEqualTo(THREADS * CALLS_PER_THREAD);
        assertThat(probe.overlaps()).as("overlapping runs").isZero();
        assertThat(probe.balance()).as("updates kept").isEqualTo(probe.runs());
    }

    private static void hammer(Runnable call) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                running.add(threads.submit(() -> {
                    for (int j = 0; j < CALLS_PER_THREAD; j++) {
                        call.run();
                    }
                }));
            }
            for (Future<?> future : running) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LockClientConfiguration {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class ProxyModeConfiguration extends LockClientConfiguration {

        @Bean
        ProxiedSelfInvokingLedger ledger(RaceProbe probe) {
            return new ProxiedSelfInvokingLedger(probe);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(mode = AdviceMode.ASPECTJ)
    static class AspectJModeConfiguration extends LockClientConfiguration {

    }

    @Configuration(proxyBeanMethods = false)
    static class WovenBeanConfiguration {

        @Bean
        SelfInvokingLedger ledger(RaceProbe probe) {
            return new SelfInvokingLedger(probe);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UnwovenBeanConfiguration {

        @Bean
        ProxiedSelfInvokingLedger ledger(RaceProbe probe) {
            return new ProxiedSelfInvokingLedger(probe);
        }

    }

}
