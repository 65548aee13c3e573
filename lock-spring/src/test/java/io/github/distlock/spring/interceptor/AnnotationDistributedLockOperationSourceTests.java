package io.github.distlock.spring.interceptor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.FencingToken;
import io.github.distlock.spring.WhenLocked;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the operation source resolves once, when it builds an operation, so that no call has to work it out again.
 */
class AnnotationDistributedLockOperationSourceTests {

    private final AnnotationDistributedLockOperationSource source =
            new AnnotationDistributedLockOperationSource(DistributedLockSettings::defaults);

    @Test
    void theValueASkippedCallReturnsIsResolvedWithTheOperation() {
        assertThat(operation(Skipping.class, "optional").skippedValue()).isEqualTo(Optional.empty());
        assertThat(operation(Skipping.class, "primitiveBoolean").skippedValue()).isEqualTo(false);
        assertThat(operation(Skipping.class, "list").skippedValue()).isEqualTo(List.of());
        assertThat(operation(Skipping.class, "optionalLong").skippedValue()).isEqualTo(OptionalLong.empty());
        assertThat(operation(Skipping.class, "plainObject").skippedValue()).isNull();
    }

    @Test
    void anAsynchronousMethodHasNoSharedSkippedValueBecauseEachSkippedCallGetsItsOwnFuture() {
        DistributedLockOperation future = operation(Skipping.class, "future");
        assertThat(future.asynchronous()).isTrue();
        assertThat(future.skippedValue()).isNull();
    }

    @Test
    void theKindOfTheFencingTokenParameterIsResolvedWithTheOperation() {
        assertThat(operation(Fenced.class, "primitive")).satisfies(op -> {
            assertThat(op.fencingTokenKind()).isEqualTo(FencingTokenKind.LONG);
            assertThat(op.fencingTokenParameter()).isEqualTo(1);
        });
        assertThat(operation(Fenced.class, "boxed").fencingTokenKind()).isEqualTo(FencingTokenKind.BOXED_LONG);
        assertThat(operation(Fenced.class, "optional")).satisfies(op -> {
            assertThat(op.fencingTokenKind()).isEqualTo(FencingTokenKind.OPTIONAL_LONG);
            assertThat(op.fencingTokenParameter()).isZero();
        });
        assertThat(operation(Fenced.class, "none")).satisfies(op -> {
            assertThat(op.fencingTokenKind()).isEqualTo(FencingTokenKind.NONE);
            assertThat(op.fencingTokenParameter()).isEqualTo(-1);
        });
    }

    @Test
    void eachKindPassesTheTokenAsItsParameterTypeExpects() {
        assertThat(FencingTokenKind.LONG.argument(OptionalLong.of(7))).isEqualTo(7L);
        assertThat(FencingTokenKind.BOXED_LONG.argument(OptionalLong.empty())).isNull();
        assertThat(FencingTokenKind.OPTIONAL_LONG.argument(OptionalLong.empty())).isEqualTo(OptionalLong.empty());
    }

    @Test
    void hasOperationReadsTheAnnotationsOnlyWithoutParsingOrCachingAMiss() throws Exception {
        assertThat(this.source.hasOperation(methodNamed(Unparsed.class, "broken"), Unparsed.class)).isTrue();
        assertThat(this.source.hasOperation(methodNamed(Unparsed.class, "unlocked"), Unparsed.class)).isFalse();
        assertThat(this.source.hasOperation(Object.class.getMethod("toString"), Unparsed.class)).isFalse();
        assertThat(this.source.cacheSize()).isZero();
    }

    @Test
    void findOperationCachesItsAnswerMissesIncluded() {
        Method unlocked = methodNamed(Unparsed.class, "unlocked");
        assertThat(this.source.findOperation(unlocked, Unparsed.class)).isNull();
        assertThat(this.source.cacheSize()).isEqualTo(1);
        assertThat(this.source.hasOperation(unlocked, Unparsed.class)).isFalse();
        assertThat(this.source.cacheSize()).isEqualTo(1);
    }

    @Test
    void theMethodWinsOverTheInterfaceMethodWhichWinsOverTheClassWhichWinsOverTheInterface() {
        assertThat(lockName(AnnotatedLevels.class, "onEveryLevel")).isEqualTo("method");
        assertThat(lockName(AnnotatedLevels.class, "onTheInterfaceMethodTheClassAndTheInterface"))
            .isEqualTo("interface-method");
        assertThat(lockName(AnnotatedLevels.class, "onTheClassAndTheInterface")).isEqualTo("class");
        assertThat(lockName(UnannotatedLevels.class, "onTheClassAndTheInterface")).isEqualTo("interface");
    }

    @Test
    void theOrderIsTheSameWhenTheCallArrivesThroughTheInterfaceMethod() {
        assertThat(lockNameThroughInterface(AnnotatedLevels.class, "onEveryLevel")).isEqualTo("method");
        assertThat(lockNameThroughInterface(AnnotatedLevels.class, "onTheInterfaceMethodTheClassAndTheInterface"))
            .isEqualTo("interface-method");
        assertThat(lockNameThroughInterface(AnnotatedLevels.class, "onTheClassAndTheInterface")).isEqualTo("class");
        assertThat(lockNameThroughInterface(UnannotatedLevels.class, "onTheClassAndTheInterface"))
            .isEqualTo("interface");
    }

    @Test
    void aScheduledVoidMethodSkipsByDefault() {
        assertThat(operation(ScheduledJobs.class, "scheduled").whenLocked()).isEqualTo(WhenLocked.SKIP);
        assertThat(operation(ScheduledJobs.class, "scheduledTwice").whenLocked()).isEqualTo(WhenLocked.SKIP);
        assertThat(operation(ScheduledJobs.class, "scheduledByMetaAnnotation").whenLocked())
            .isEqualTo(WhenLocked.SKIP);
    }

    @Test
    void aScheduledMethodKeepsThePolicyItStates() {
        assertThat(operation(ScheduledJobs.class, "scheduledWaiting").whenLocked()).isEqualTo(WhenLocked.WAIT);
        assertThat(operation(ScheduledJobs.class, "scheduledFailing").whenLocked()).isEqualTo(WhenLocked.FAIL);
    }

    @Test
    void methodsThatAreNotScheduledVoidMethodsWaitByDefault() {
        assertThat(operation(ScheduledJobs.class, "unscheduled").whenLocked()).isEqualTo(WhenLocked.WAIT);
        assertThat(operation(ScheduledJobs.class, "scheduledReturningAValue").whenLocked())
            .isEqualTo(WhenLocked.WAIT);
    }

    @Test
    void minHoldIsParsedWithItsPlaceholdersAndDefaultsToNone() {
        this.source.setEmbeddedValueResolver(text -> text.replace("${jobs.min-hold}", "150ms"));
        assertThat(operation(ScheduledJobs.class, "heldAtLeast").minHold()).isEqualTo(Duration.ofMillis(150));
        assertThat(operation(ScheduledJobs.class, "scheduled").minHold()).isZero();
    }

    private String lockName(Class<?> type, String methodName) {
        return operation(type, methodName).name();
    }

    private String lockNameThroughInterface(Class<?> type, String methodName) {
        DistributedLockOperation operation = this.source.findOperation(methodNamed(Levels.class, methodName), type);
        assertThat(operation).as(methodName).isNotNull();
        return operation.name();
    }

    private DistributedLockOperation operation(Class<?> type, String methodName) {
        Method method = methodNamed(type, methodName);
        DistributedLockOperation operation = this.source.findOperation(method, type);
        assertThat(operation).as(methodName).isNotNull();
        return operation;
    }

    private static Method methodNamed(Class<?> type, String name) {
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
            if (method.getName().equals(name)) {
                return method;
            }
        }
        throw new IllegalArgumentException(type.getSimpleName() + " has no method " + name);
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Scheduled(fixedRate = 1000)
    @interface EverySecond {
    }

    static class ScheduledJobs {

        @Scheduled(fixedRate = 1000)
        @DistributedLock
        public void scheduled() {
        }

        @Scheduled(fixedRate = 1000)
        @Scheduled(cron = "0 0 * * * *")
        @DistributedLock
        public void scheduledTwice() {
        }

        @EverySecond
        @DistributedLock
        public void scheduledByMetaAnnotation() {
        }

        @Scheduled(fixedRate = 1000)
        @DistributedLock(whenLocked = WhenLocked.WAIT)
        public void scheduledWaiting() {
        }

        @Scheduled(fixedRate = 1000)
        @DistributedLock(whenLocked = WhenLocked.FAIL)
        public void scheduledFailing() {
        }

        @DistributedLock
        public void unscheduled() {
        }

        @Scheduled(fixedRate = 1000)
        @DistributedLock
        public String scheduledReturningAValue() {
            return "report";
        }

        @Scheduled(fixedRate = 1000)
        @DistributedLock(leaseTime = "1s", minHold = "${jobs.min-hold}")
        public void heldAtLeast() {
        }

    }

    @DistributedLock(name = "skipping", whenLocked = WhenLocked.SKIP)
    static class Skipping {

        public Optional<String> optional() {
            return Optional.of("ran");
        }

        public boolean primitiveBoolean() {
            return true;
        }

        public List<String> list() {
            return List.of("ran");
        }

        public OptionalLong optionalLong() {
            return OptionalLong.of(1);
        }

        public Object plainObject() {
            return "ran";
        }

        public CompletableFuture<String> future() {
            return CompletableFuture.completedFuture("ran");
        }

    }

    /** Each level of the lookup names the lock after itself. */
    @DistributedLock(name = "interface")
    interface Levels {

        @DistributedLock(name = "interface-method")
        String onEveryLevel();

        @DistributedLock(name = "interface-method")
        String onTheInterfaceMethodTheClassAndTheInterface();

        String onTheClassAndTheInterface();

    }

    @DistributedLock(name = "class")
    static class AnnotatedLevels implements Levels {

        @DistributedLock(name = "method")
        @Override
        public String onEveryLevel() {
            return "ran";
        }

        @Override
        public String onTheInterfaceMethodTheClassAndTheInterface() {
            return "ran";
        }

        @Override
        public String onTheClassAndTheInterface() {
            return "ran";
        }

    }

    static class UnannotatedLevels implements Levels {

        @Override
        public String onEveryLevel() {
            return "ran";
        }

        @Override
        public String onTheInterfaceMethodTheClassAndTheInterface() {
            return "ran";
        }

        @Override
        public String onTheClassAndTheInterface() {
            return "ran";
        }

    }

    static class Unparsed {

        @DistributedLock(key = "#orderId.")
        public void broken(String orderId) {
        }

        public void unlocked(String orderId) {
        }

    }

    @DistributedLock(name = "fenced")
    static class Fenced {

        public void primitive(String orderId, @FencingToken long token) {
        }

        public void boxed(@FencingToken Long token) {
        }

        public void optional(@FencingToken OptionalLong token) {
        }

        public void none(String orderId) {
        }

    }

}
