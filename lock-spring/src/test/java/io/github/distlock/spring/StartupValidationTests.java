package io.github.distlock.spring;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import kotlin.coroutines.Continuation;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ReactiveTypeDescriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every mistake in a {@code @DistributedLock} fails the application's start-up, naming the method and the
 * offending expression or attribute.
 */
class StartupValidationTests {

    @Test
    void privateMethodFailsStartupBecauseTheProxyCanNeverInterceptIt() {
        assertStartupFails(PrivateMethod.class, "PrivateMethod.charge(String)", "private", "never take effect");
    }

    @Test
    void finalMethodFailsStartup() {
        assertStartupFails(FinalMethod.class, "FinalMethod.charge(String)", "final");
    }

    @Test
    void staticMethodFailsStartup() {
        assertStartupFails(StaticMethod.class, "StaticMethod.charge(String)", "static");
    }

    @Test
    void unparsableKeyExpressionFailsStartup() {
        assertStartupFails(BrokenExpression.class, "BrokenExpression.charge(String)", "'#orderId.'");
    }

    @Test
    void unknownParameterNameFailsStartup() {
        assertStartupFails(UnknownParameter.class, "UnknownParameter.charge(String)", "'#ordrId'", "#ordrId",
                "orderId");
    }

    @Test
    void invalidDurationFailsStartup() {
        assertStartupFails(InvalidDuration.class, "InvalidDuration.charge(String)", "leaseTime", "'3 parsecs'");
    }

    @Test
    void unresolvedPlaceholderDurationFailsStartup() {
        assertStartupFails(UnresolvablePlaceholder.class, "UnresolvablePlaceholder.charge(String)", "waitTime",
                "${orders.lock.wait}");
    }

    @Test
    void negativeLeaseFailsStartup() {
        assertStartupFails(NegativeLease.class, "NegativeLease.charge(String)", "leaseTime", "positive");
    }

    @Test
    void waitLongerThanAllowedFailsStartup() {
        assertStartupFails(WaitTooLong.class, "WaitTooLong.charge(String)", "waitTime",
                "distributed-lock.max-wait-time");
    }

    @Test
    void waitTimeWithSkipFailsStartupBecauseSkipNeverWaits() {
        assertStartupFails(WaitWithSkip.class, "WaitWithSkip.charge(String)", "waitTime", "SKIP");
    }

    @Test
    void minHoldLongerThanTheLeaseFailsStartupNamingTheMethodAndTheAttribute() {
        assertStartupFails(MinHoldLongerThanLease.class, "MinHoldLongerThanLease.report()", "minHold = \"2m\"",
                "leaseTime");
    }

    @Test
    void minHoldThatIsNotADurationFailsStartup() {
        assertStartupFails(MinHoldNotADuration.class, "MinHoldNotADuration.report()", "minHold", "'soon'");
    }

    @Test
    void waitTimeOnAScheduledMethodThatSkipsByDefaultFailsStartupWithAHintToStateWait() {
        assertStartupFails(ScheduledWithWaitTime.class, "ScheduledWithWaitTime.report()", "waitTime", "@Scheduled",
                "whenLocked = WAIT");
    }

    @Test
    void skipOnAMethodReturningAnIntFailsStartup() {
        assertStartupFails(SkipReturningInt.class, "SkipReturningInt.count(String)", "SKIP", "int");
    }

    @Test
    void fencingTokenOnAStringParameterFailsStartup() {
        assertStartupFails(FencingTokenOnString.class, "FencingTokenOnString.charge(String, String)", "@FencingToken",
                "long, Long or OptionalLong");
    }

    @Test
    void twoFencingTokenParametersFailStartup() {
        assertStartupFails(TwoFencingTokens.class, "TwoFencingTokens.charge(String, long, OptionalLong)",
                "@FencingToken");
    }

    @Test
    void keyOnAParameterWhoseClassHasNoToStringFailsStartupBecauseEveryCallWouldGetItsOwnLock() {
        assertStartupFails(KeyWithoutToString.class, "KeyWithoutToString.charge(Receipt)", "'#receipt'",
                "Receipt", "toString()", "never contend", "#receipt.id");
    }

    @Test
    void keyOnAPropertyChainEndingInAClassWithoutToStringFailsStartup() {
        assertStartupFails(PropertyWithoutToString.class, "PropertyWithoutToString.charge(Invoice)",
                "'#invoice.receipt'", "Receipt", "toString()");
    }

    @Test
    void keyOnAnArrayParameterFailsStartupSuggestingKeys() {
        assertStartupFails(ArrayKey.class, "ArrayKey.charge(String[])", "'#p0'", "array", "String[]",
                "keys = ");
    }

    @Test
    void keyOnACollectionParameterFailsStartupSuggestingKeys() {
        assertStartupFails(CollectionKey.class, "CollectionKey.charge(List)", "'#orderIds'", "collection",
                "keys = ");
    }

    @Test
    void keyOnAMapPropertyFailsStartupSuggestingKeys() {
        assertStartupFails(MapKey.class, "MapKey.charge(Invoice)", "'#a0.lines'", "map", "keys = ");
    }

    @Test
    void keysWhoseStaticTypeCannotShowAProblemStart() {
        start(KeysLeftToTheCall.class).close();
    }

    @Test
    void unquotedConstantKeyFailsStartupWithAHintToQuoteIt() {
        assertStartupFails(UnquotedConstant.class, "UnquotedConstant.run()", "'daily-report'", "'daily'",
                "methodName", "in quotes");
    }

    @Test
    void parameterNameWithoutItsHashFailsStartupWithAHintToAddIt() {
        assertStartupFails(ParameterWithoutHash.class, "ParameterWithoutHash.charge(String)", "'orderId'",
                "#orderId");
    }

    @Test
    void unknownMethodOfTheRootObjectFailsStartup() {
        assertStartupFails(UnknownRootMethod.class, "UnknownRootMethod.run()", "'reportName()'", "reportName");
    }

    @Test
    void misspelledRootPropertyFailsStartup() {
        assertStartupFails(MisspelledRootProperty.class, "MisspelledRootProperty.run(String)", "'#root.methodNam'",
                "methodNam");
    }

    @Test
    void rootPropertiesAndNamesReadFromElementsOrAsMapKeysStartAndEvaluate() {
        try (AnnotationConfigApplicationContext context = start(RootReferencesThatExist.class)) {
            RootReferencesThatExist bean = context.getBean(RootReferencesThatExist.class);
            assertThat(bean.rootProperties("7")).endsWith(":rootProperties-7-rootProperties");
            assertThat(bean.insideSelectionAndProjection(List.of("a", "bc", "de"))).endsWith(":BC");
            assertThat(bean.mapKeyAndMethodArgument(Map.of("north", "N"), "7"))
                .endsWith(":N7mapKeyAndMethodArgument");
        }
    }

    @Test
    void monoFluxAndPublisherReturnTypesStartBecauseEachSubscriptionIsLocked() {
        try (AnnotationConfigApplicationContext context = start(ReturnsMono.class, ReturnsFlux.class,
                ReturnsJdkPublisher.class)) {
            assertThat(context.getBean(ReturnsMono.class).charge("1").block()).isEqualTo("1");
            assertThat(context.getBean(ReturnsFlux.class).charges("2").collectList().block()).containsExactly("2");
            assertThat(context.getBean(ReturnsJdkPublisher.class).charges("3")).isNotNull();
        }
    }

    @Test
    void publisherSubtypeThatTheLockedPublisherCannotBeFailsStartupNamingTheTypeToDeclare() {
        assertStartupFails(ReturnsSubmissionPublisher.class, "ReturnsSubmissionPublisher.charges(String)",
                "java.util.concurrent.SubmissionPublisher", "declare it as java.util.concurrent.Flow$Publisher");
    }

    @Test
    void kotlinFlowWithoutItsReactorAdapterFailsStartup() {
        assertStartupFails(ReturnsKotlinFlow.class, "ReturnsKotlinFlow.charges(String)",
                "kotlinx.coroutines.flow.Flow", "kotlinx-coroutines-reactor");
    }

    @Test
    void typeKnownToTheReactiveAdapterRegistryStarts() {
        // The shared registry keeps this registration, which is harmless: no other test uses the type.
        ReactiveAdapterRegistry.getSharedInstance().registerReactiveType(
                ReactiveTypeDescriptor.singleOptionalValue(DeferredCharge.class, DeferredCharge::new),
                source -> Mono.empty(), publisher -> new DeferredCharge());
        try (AnnotationConfigApplicationContext context = start(ReturnsRegisteredReactiveType.class)) {
            assertThat(context.getBean(ReturnsRegisteredReactiveType.class).charge("1")).isNotNull();
        }
    }

    @Test
    void kotlinSuspendFunctionFailsStartup() {
        assertStartupFails(SuspendFunction.class, "SuspendFunction.charge(String, Continuation)", "suspend",
                "not supported");
    }

    private static void assertStartupFails(Class<?> beanClass, String... messageParts) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.register(Infrastructure.class);
        context.registerBean(beanClass);
        var failure = assertThatThrownBy(context::refresh).isInstanceOf(BeanCreationException.class);
        for (String part : messageParts) {
            failure.hasMessageContaining(part);
        }
    }

    private static AnnotationConfigApplicationContext start(Class<?>... beanClasses) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.register(Infrastructure.class);
        for (Class<?> beanClass : beanClasses) {
            context.registerBean(beanClass);
        }
        context.refresh();
        return context;
    }

    @Configuration(proxyBeanMethods = false)
    @EnableDistributedLock
    static class Infrastructure {

        @Bean(destroyMethod = "close")
        LockEngine lockClient() {
            return new LockEngine(new InMemoryLeaseBackend());
        }

        @Bean
        DistributedLockSettings distributedLockSettings() {
            return DistributedLockSettings.defaults().withMaxWaitTime(Duration.ofMinutes(1));
        }

    }

    static class PrivateMethod {

        @DistributedLock(key = "#orderId")
        private void charge(String orderId) {
        }

        public void callCharge() {
            charge("1");
        }

    }

    static class FinalMethod {

        @DistributedLock(key = "#orderId")
        public final void charge(String orderId) {
        }

    }

    static class StaticMethod {

        @DistributedLock(key = "#orderId")
        public static void charge(String orderId) {
        }

    }

    static class BrokenExpression {

        @DistributedLock(key = "#orderId.")
        public void charge(String orderId) {
        }

    }

    static class UnknownParameter {

        @DistributedLock(key = "#ordrId")
        public void charge(String orderId) {
        }

    }

    static class InvalidDuration {

        @DistributedLock(key = "#orderId", leaseTime = "3 parsecs")
        public void charge(String orderId) {
        }

    }

    static class UnresolvablePlaceholder {

        @DistributedLock(key = "#orderId", waitTime = "${orders.lock.wait}")
        public void charge(String orderId) {
        }

    }

    static class NegativeLease {

        @DistributedLock(key = "#orderId", leaseTime = "-5s")
        public void charge(String orderId) {
        }

    }

    static class WaitTooLong {

        @DistributedLock(key = "#orderId", waitTime = "2h")
        public void charge(String orderId) {
        }

    }

    static class WaitWithSkip {

        @DistributedLock(key = "#orderId", waitTime = "1s", whenLocked = WhenLocked.SKIP)
        public void charge(String orderId) {
        }

    }

    static class SkipReturningInt {

        @DistributedLock(key = "#orderId", whenLocked = WhenLocked.SKIP)
        public int count(String orderId) {
            return 1;
        }

    }

    static class MinHoldLongerThanLease {

        @Scheduled(fixedRate = 60_000)
        @DistributedLock(leaseTime = "1m", minHold = "2m")
        public void report() {
        }

    }

    static class MinHoldNotADuration {

        @DistributedLock(minHold = "soon")
        public void report() {
        }

    }

    static class ScheduledWithWaitTime {

        @Scheduled(fixedRate = 60_000)
        @DistributedLock(waitTime = "1s")
        public void report() {
        }

    }

    static class FencingTokenOnString {

        @DistributedLock(key = "#orderId")
        public void charge(String orderId, @FencingToken String token) {
        }

    }

    static class TwoFencingTokens {

        @DistributedLock(key = "#orderId")
        public void charge(String orderId, @FencingToken long token, @FencingToken OptionalLong again) {
        }

    }

    /** A class that inherits Object's toString(). */
    static class Receipt {

        public String getId() {
            return "r-1";
        }

    }

    static class Invoice {

        public Receipt getReceipt() {
            return new Receipt();
        }

        public Map<String, Long> getLines() {
            return Map.of();
        }

    }

    static class KeyWithoutToString {

        @DistributedLock(key = "#receipt")
        public void charge(Receipt receipt) {
        }

    }

    static class PropertyWithoutToString {

        @DistributedLock(key = "#invoice.receipt")
        public void charge(Invoice invoice) {
        }

    }

    static class ArrayKey {

        @DistributedLock(key = "#p0")
        public void charge(String[] orderIds) {
        }

    }

    static class CollectionKey {

        @DistributedLock(key = "#orderIds")
        public void charge(List<String> orderIds) {
        }

    }

    static class MapKey {

        @DistributedLock(key = "#a0.lines")
        public void charge(Invoice invoice) {
        }

    }

    /** Nothing here shows a problem before the call: the values are checked when it is made. */
    static class KeysLeftToTheCall {

        @DistributedLock(key = "#order")
        public void anyObject(Object order) {
        }

        @DistributedLock(key = "#name")
        public void anInterface(CharSequence name) {
        }

        @DistributedLock(key = "#amount")
        public void anAbstractClass(Number amount) {
        }

        @DistributedLock(key = "#policy")
        public void anEnum(WhenLocked policy) {
        }

        @DistributedLock(key = "#receipt.id")
        public void aPropertyWithToString(Receipt receipt) {
        }

        @DistributedLock(key = "#receipt.toString()")
        public void anExplicitToString(Receipt receipt) {
        }

    }

    static class UnquotedConstant {

        @DistributedLock(key = "daily-report")
        public void run() {
        }

    }

    static class ParameterWithoutHash {

        @DistributedLock(key = "orderId")
        public void charge(String orderId) {
        }

    }

    static class UnknownRootMethod {

        @DistributedLock(key = "reportName()")
        public void run() {
        }

    }

    static class MisspelledRootProperty {

        @DistributedLock(key = "#root.methodNam")
        public void run(String orderId) {
        }

    }

    static class RootReferencesThatExist {

        @DistributedLock(key = "methodName + '-' + args[0] + '-' + #root.methodName")
        public String rootProperties(String orderId) {
            return LockContext.current().key();
        }

        @DistributedLock(key = "#orderIds.?[length() > 1].![toUpperCase()].get(0)")
        public String insideSelectionAndProjection(List<String> orderIds) {
            return LockContext.current().key();
        }

        @DistributedLock(key = "#lines[north] + #orderId.concat(methodName)")
        public String mapKeyAndMethodArgument(Map<String, String> lines, String orderId) {
            return LockContext.current().key();
        }

    }

    static class ReturnsMono {

        @DistributedLock(key = "#orderId")
        public Mono<String> charge(String orderId) {
            return Mono.just(orderId);
        }

    }

    static class ReturnsFlux {

        @DistributedLock(key = "#orderId")
        public Flux<String> charges(String orderId) {
            return Flux.just(orderId);
        }

    }

    static class ReturnsJdkPublisher {

        @DistributedLock(key = "#orderId")
        public Flow.Publisher<String> charges(String orderId) {
            return new SubmissionPublisher<>();
        }

    }

    static class ReturnsSubmissionPublisher {

        @DistributedLock(key = "#orderId")
        public SubmissionPublisher<String> charges(String orderId) {
            return new SubmissionPublisher<>();
        }

    }

    static class ReturnsKotlinFlow {

        @DistributedLock(key = "#orderId")
        public kotlinx.coroutines.flow.Flow<String> charges(String orderId) {
            return null;
        }

    }

    /** A type that only the reactive adapter registry knows as reactive. */
    static final class DeferredCharge {
    }

    static class ReturnsRegisteredReactiveType {

        @DistributedLock(key = "#orderId")
        public DeferredCharge charge(String orderId) {
            return new DeferredCharge();
        }

    }

    /** What the Kotlin compiler makes of {@code suspend fun charge(orderId: String): Any}. */
    static class SuspendFunction {

        @DistributedLock(key = "#orderId")
        public Object charge(String orderId, Continuation<Object> continuation) {
            return "charged";
        }

    }

}
