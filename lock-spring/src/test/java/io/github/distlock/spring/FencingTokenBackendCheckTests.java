package io.github.distlock.spring;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.Lease;
import io.github.distlock.core.LockClient;
import io.github.distlock.core.LockRequest;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code long @FencingToken} parameter needs a lock client whose backend issues fencing tokens. That is checked
 * once, when the application starts, for every bean created then; a method met later (a lazily created bean) is
 * checked at its first call. The client's answer is asked once, never per call.
 */
class FencingTokenBackendCheckTests {

    private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

    private CountingLockClient lockClient;

    @AfterEach
    void closeContext() {
        this.context.close();
        if (this.lockClient != null) {
            this.lockClient.engine.close();
        }
    }

    @Test
    void aLongFencingTokenOverABackendWithoutTokensFailsStartupNamingTheMethodTheParameterAndTheBackend() {
        prepare(false, LongToken.class);
        assertThatThrownBy(this.context::refresh).isInstanceOf(BeanInitializationException.class)
            .hasMessageContaining("LongToken.charge(String, long)")
            .hasMessageContaining("long @FencingToken")
            .hasMessageContaining("parameter 1 (token)")
            .hasMessageContaining("lock backend 'no-tokens' issues no fencing tokens")
            .hasMessageContaining("use OptionalLong or Long, or a backend with fencing tokens");
    }

    @Test
    void aLongFencingTokenOverABackendWithTokensStartsAndItsCallsDoNotAskTheClientAgain() {
        prepare(true, LongToken.class);
        this.context.refresh();
        assertThat(this.lockClient.fencingQuestions).hasValue(1);
        LongToken bean = this.context.getBean(LongToken.class);
        long first = bean.charge("1", 0);
        for (int i = 0; i < 5; i++) {
            assertThat(bean.charge("1", 0)).isGreaterThan(first);
        }
        assertThat(this.lockClient.fencingQuestions).hasValue(1);
    }

    @Test
    void withoutALongFencingTokenStartupDoesNotAskTheClient() {
        prepare(false, TolerantTokens.class);
        this.context.refresh();
        assertThat(this.lockClient.fencingQuestions).hasValue(0);
        TolerantTokens bean = this.context.getBean(TolerantTokens.class);
        assertThat(bean.boxed("1", 0L)).isPositive();
        assertThat(bean.optional("1", OptionalLong.empty())).isPresent();
        assertThat(this.lockClient.fencingQuestions).hasValue(0);
    }

    @Test
    void aLazilyCreatedBeanIsCheckedAtItsFirstCallAndItsMethodNeverRunsOverABackendWithoutTokens() {
        prepare(false, null);
        this.context.registerBean(LongToken.class, definition -> definition.setLazyInit(true));
        this.context.refresh();
        assertThat(this.lockClient.fencingQuestions).hasValue(0);
        LongToken bean = this.context.getBean(LongToken.class);
        for (int call = 0; call < 3; call++) {
            assertThatIllegalStateException().isThrownBy(() -> bean.charge("1", 0))
                .withMessageContaining("LongToken.charge(String, long)")
                .withMessageContaining("parameter 1 (token)")
                .withMessageContaining("'no-tokens' issues no fencing tokens");
        }
        assertThat(bean.runs()).isZero();
        assertThat(this.lockClient.fencingQuestions).hasValue(1);
    }

    private void prepare(boolean issuesFencingTokens, Class<?> beanClass) {
        this.lockClient = new CountingLockClient(issuesFencingTokens);
        this.context.registerBean(LockClient.class, () -> this.lockClient);
        this.context.register(Infrastructure.class);
        if (beanClass != null) {
            this.context.registerBean(beanClass);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock(proxyTargetClass = true)
    static class Infrastructure {

    }

    static class LongToken {

        private final AtomicInteger runs = new AtomicInteger();

        // Read through a method: the class proxy has fields of its own.
        public int runs() {
            return this.runs.get();
        }

        @DistributedLock(name = "charge", key = "#orderId")
        public long charge(String orderId, @FencingToken long token) {
            this.runs.incrementAndGet();
            return token;
        }

    }

    static class TolerantTokens {

        @DistributedLock(name = "charge", key = "#orderId")
        public Long boxed(String orderId, @FencingToken Long token) {
            return token;
        }

        @DistributedLock(name = "charge", key = "#orderId")
        public OptionalLong optional(String orderId, @FencingToken OptionalLong token) {
            return token;
        }

    }

    /**
     * An engine over the in-memory backend that says it issues fencing tokens or not, and counts how often it is
     * asked. Its leases carry tokens either way, so a call that the check let through shows its token.
     */
    static final class CountingLockClient implements LockClient {

        final LockEngine engine = new LockEngine(new InMemoryLeaseBackend());

        final AtomicInteger fencingQuestions = new AtomicInteger();

        private final boolean issuesFencingTokens;

        CountingLockClient(boolean issuesFencingTokens) {
            this.issuesFencingTokens = issuesFencingTokens;
        }

        @Override
        public Optional<Lease> tryAcquire(LockRequest request) {
            return this.engine.tryAcquire(request);
        }

        @Override
        public Lease acquire(LockRequest request) throws InterruptedException {
            return this.engine.acquire(request);
        }

        @Override
        public boolean supportsFencingTokens() {
            this.fencingQuestions.incrementAndGet();
            return this.issuesFencingTokens;
        }

        @Override
        public String backendName() {
            return this.issuesFencingTokens ? "in-memory" : "no-tokens";
        }

    }

}
