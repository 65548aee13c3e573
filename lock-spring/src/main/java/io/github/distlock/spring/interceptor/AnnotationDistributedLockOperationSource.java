package io.github.distlock.spring.interceptor;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.github.distlock.spring.DistributedLock;
import io.github.distlock.spring.DistributedLockSettings;
import io.github.distlock.spring.FencingToken;
import io.github.distlock.spring.WhenLocked;
import io.github.distlock.spring.interceptor.DistributedLockOperation.FencingTokenKind;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.annotation.RepeatableContainers;
import org.springframework.expression.Expression;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Reads {@link DistributedLock} and turns it into a validated {@link DistributedLockOperation}. The first annotation
 * found in this order applies:
 * <ol>
 * <li>the method of the target class, then the methods it overrides or implements (a superclass's method, an
 * interface method);</li>
 * <li>the invoked method, when it is not one of those (an interface method of a JDK proxy whose target class
 * inherits the implementation from a class that does not implement the interface);</li>
 * <li>for a public method: the target class, then the types above it (its interfaces and superclasses);</li>
 * <li>for a public method: the class that declares the invoked method.</li>
 * </ol>
 * So any method-level annotation, the interface method's included, wins over a class-level one, and the class
 * wins over its interface: method, interface method, class, interface. This is the order Spring's cache and
 * transaction annotations have in effect, since their first step also searches the methods a method overrides.
 *
 * <p>{@link #findOperation} answers are cached per method and target class, misses included, so the annotation is
 * read and the expression parsed once; {@link #hasOperation} reads annotations only and caches nothing.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public class AnnotationDistributedLockOperationSource implements DistributedLockOperationSource,
        EmbeddedValueResolverAware {

    private static final Object NO_OPERATION = new Object();

    private final Supplier<DistributedLockSettings> settings;

    private final Map<MethodClassKey, Object> cache = new ConcurrentHashMap<>(256);

    private @Nullable StringValueResolver valueResolver;

    // Set while the context is configured, before the first bean is validated.
    private volatile boolean woven;

    /**
     * Creates a source whose defaults come from the given settings, read when an operation is first built.
     * @param settings the defaults and limits
     */
    public AnnotationDistributedLockOperationSource(Supplier<DistributedLockSettings> settings) {
        this.settings = settings;
    }

    /**
     * Says that locked methods are woven by AspectJ rather than reached through proxies ({@code AdviceMode.ASPECTJ}):
     * {@link #validate} then accepts private, static and final methods, and instead fails for a class that was not
     * woven and for an annotation the aspect cannot see (on an interface, on an overridden method, or through a
     * composed annotation).
     * @param woven whether locked methods are woven
     */
    public void setWoven(boolean woven) {
        this.woven = woven;
    }

    @Override
    public void setEmbeddedValueResolver(StringValueResolver resolver) {
        this.valueResolver = resolver;
    }

    @Override
    public @Nullable DistributedLockOperation findOperation(Method method, @Nullable Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return null;
        }
        MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
        Object cached = this.cache.get(cacheKey);
        if (cached == null) {
            DistributedLockOperation operation = computeOperation(method, targetClass);
            cached = (operation != null) ? operation : NO_OPERATION;
            this.cache.put(cacheKey, cached);
        }
        return (cached != NO_OPERATION) ? (DistributedLockOperation) cached : null;
    }

    /**
     * Answers from the annotations alone: nothing is parsed and a miss is not cached, so asking about every public
     * method of every bean (as the pointcut does) leaves no entry behind for a method that is not locked.
     */
    @Override
    public boolean hasOperation(Method method, @Nullable Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return false;
        }
        Object cached = this.cache.get(new MethodClassKey(method, targetClass));
        if (cached != null) {
            return cached != NO_OPERATION;
        }
        Class<?> userClass = userClass(method, targetClass);
        return findAnnotation(method, AopUtils.getMostSpecificMethod(method, userClass), userClass) != null;
    }

    /**
     * Returns how many answers the cache holds, misses included; for tests.
     */
    int cacheSize() {
        return this.cache.size();
    }

    /**
     * Checks every locked method of a bean class, so that mistakes fail start-up: methods the proxy can never
     * intercept (private, static, final), methods whose work would run after the lock is released (reactive return
     * types that cannot be locked, Kotlin suspend functions), and invalid expressions or durations. Only locked methods are built and
     * cached.
     * @param beanClass the user class of a bean
     * @return the operations of the class's locked methods
     * @throws IllegalStateException describing the first problem found
     */
    public List<DistributedLockOperation> validate(Class<?> beanClass) {
        if (!AnnotationUtils.isCandidateClass(beanClass, DistributedLock.class)) {
            return List.of();
        }
        List<DistributedLockOperation> operations = new ArrayList<>();
        Method[] methods = ReflectionUtils.getUniqueDeclaredMethods(beanClass, ReflectionUtils.USER_DECLARED_METHODS);
        for (Method method : methods) {
            if (method.isBridge() || method.isSynthetic()) {
                continue;
            }
            if (this.woven) {
                if (hasOperation(method, beanClass)) {
                    requireWoven(method, beanClass);
                }
            }
            else if (AnnotatedElementUtils.hasAnnotation(method, DistributedLock.class)) {
                String unreachable = whyNeverIntercepted(method);
                if (unreachable != null) {
                    throw new IllegalStateException("@DistributedLock on " + describe(method, beanClass)
                            + " can never take effect: the method is " + unreachable
                            + ", so calls to it never pass through the Spring proxy that takes the lock");
                }
            }
            // Only locked methods are built: an unlocked one would leave a cached miss for every method of every bean.
            if (hasOperation(method, beanClass)) {
                operations.add(Objects.requireNonNull(findOperation(method, beanClass)));
            }
        }
        return operations;
    }

    /**
     * Fails unless the aspect of the AspectJ mode runs for {@code method}: its class was woven, and the annotation
     * is one the aspect's pointcut matches.
     */
    private static void requireWoven(Method method, Class<?> beanClass) {
        Class<?> declaring = method.getDeclaringClass();
        boolean seenByTheAspect = method.isAnnotationPresent(DistributedLock.class)
                || (Modifier.isPublic(method.getModifiers()) && declaring.isAnnotationPresent(DistributedLock.class));
        if (!seenByTheAspect) {
            throw new IllegalStateException("@DistributedLock for " + describe(method, beanClass) + " is not woven: "
                    + "in AspectJ mode the aspect sees only @DistributedLock written on the method itself or on the "
                    + "class that declares it (for its public methods), not on an interface, on an overridden "
                    + "method or through a composed annotation; annotate " + declaring.getName() + " or its method");
        }
        if (!isWovenByAspectJ(declaring)) {
            throw new IllegalStateException("@DistributedLock on " + describe(method, beanClass) + " cannot take "
                    + "effect: the mode is AspectJ, but " + declaring.getName() + " was not woven (compile it with "
                    + "ajc and lock-spring-aspects on its aspect path, or weave it at load time)");
        }
    }

    /** A class woven by AspectJ carries the join-point fields that the AspectJ weaver adds. */
    private static boolean isWovenByAspectJ(Class<?> type) {
        for (Field field : type.getDeclaredFields()) {
            if (field.getName().startsWith("ajc$")) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable String whyNeverIntercepted(Method method) {
        int modifiers = method.getModifiers();
        if (Modifier.isPrivate(modifiers)) {
            return "private";
        }
        if (Modifier.isStatic(modifiers)) {
            return "static";
        }
        if (Modifier.isFinal(modifiers)) {
            return "final";
        }
        return null;
    }

    private @Nullable DistributedLockOperation computeOperation(Method method, @Nullable Class<?> targetClass) {
        Class<?> userClass = userClass(method, targetClass);
        Method specificMethod = AopUtils.getMostSpecificMethod(method, userClass);
        DistributedLock annotation = findAnnotation(method, specificMethod, userClass);
        return (annotation != null) ? parse(annotation, specificMethod, userClass) : null;
    }

    private static Class<?> userClass(Method method, @Nullable Class<?> targetClass) {
        return (targetClass != null) ? ClassUtils.getUserClass(targetClass) : method.getDeclaringClass();
    }

    /**
     * Finds the annotation that applies, in the order of the class's Javadoc; "find" searches the hierarchy.
     */
    private static @Nullable DistributedLock findAnnotation(Method method, Method specificMethod, Class<?> userClass) {
        DistributedLock annotation = AnnotatedElementUtils.findMergedAnnotation(specificMethod, DistributedLock.class);
        if (annotation == null && specificMethod != method) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class);
        }
        if (annotation == null && Modifier.isPublic(specificMethod.getModifiers()) && !specificMethod.isSynthetic()) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(userClass, DistributedLock.class);
            if (annotation == null) {
                annotation = AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(),
                        DistributedLock.class);
            }
        }
        return annotation;
    }

    private DistributedLockOperation parse(DistributedLock annotation, Method method, Class<?> userClass) {
        DistributedLockSettings defaults = this.settings.get();
        String description = describe(method, userClass);
        String outlivesTheCall = ReactiveMethods.whyWorkOutlivesTheCall(method);
        if (outlivesTheCall != null) {
            throw new IllegalStateException("@DistributedLock on " + description + " cannot take effect: it "
                    + outlivesTheCall + ". Otherwise return a CompletableFuture, which keeps the lock until it "
                    + "completes, or a blocking type");
        }
        String name = resolve(annotation.name());
        if (name.isEmpty()) {
            name = method.getDeclaringClass().getName() + "." + method.getName();
        }
        String keysText = annotation.keys().trim();
        boolean multiKey = !keysText.isEmpty();
        if (multiKey && !annotation.key().isBlank()) {
            throw new IllegalStateException("@DistributedLock on " + description + " sets both key (\""
                    + annotation.key() + "\") and keys (\"" + annotation.keys() + "\"); use key for one lock key, "
                    + "or keys for a collection or array of them");
        }
        String keyText = multiKey ? keysText : annotation.key().trim();
        Expression keyExpression = keyText.isEmpty() ? null
                : LockKeyEvaluator.SHARED.parse(keyText, method, description, multiKey);
        Duration leaseTime = parseDuration(annotation.leaseTime(), "leaseTime", defaults.defaultLeaseTime(),
                description);
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalStateException("@DistributedLock(leaseTime = \"" + annotation.leaseTime() + "\") on "
                    + description + " must be positive, was " + leaseTime);
        }
        Class<?> returnType = method.getReturnType();
        WhenLocked whenLocked = resolveWhenLocked(annotation.whenLocked(), method);
        Duration waitTime;
        if (whenLocked == WhenLocked.WAIT) {
            waitTime = parseDuration(annotation.waitTime(), "waitTime", defaults.defaultWaitTime(), description);
            if (waitTime.isNegative()) {
                throw new IllegalStateException("@DistributedLock(waitTime = \"" + annotation.waitTime() + "\") on "
                        + description + " must not be negative, was " + waitTime);
            }
            if (!defaults.allowsWaitTime(waitTime)) {
                throw new IllegalStateException("@DistributedLock(waitTime = \"" + annotation.waitTime() + "\") on "
                        + description + " is longer than the allowed maximum " + defaults.maxWaitTime()
                        + " (distributed-lock.max-wait-time)");
            }
        }
        else {
            if (!annotation.waitTime().isEmpty()) {
                String why = (annotation.whenLocked() == WhenLocked.DEFAULT)
                        ? " (the default for a void @Scheduled method, which makes one attempt); remove waitTime, or "
                                + "state whenLocked = WAIT to wait"
                        : " (it makes one attempt); remove waitTime or use WAIT";
                throw new IllegalStateException("@DistributedLock on " + description + " sets waitTime, which has no "
                        + "effect with whenLocked = " + whenLocked + why);
            }
            waitTime = Duration.ZERO;
        }
        Duration minHold = parseDuration(annotation.minHold(), "minHold", Duration.ZERO, description);
        if (minHold.isNegative()) {
            throw new IllegalStateException("@DistributedLock(minHold = \"" + annotation.minHold() + "\") on "
                    + description + " must not be negative, was " + minHold);
        }
        if (minHold.compareTo(leaseTime) > 0) {
            throw new IllegalStateException("@DistributedLock(minHold = \"" + annotation.minHold() + "\") on "
                    + description + " is longer than its leaseTime " + leaseTime + ": if the process dies, the lock "
                    + "ends with its lease, before the minimum hold; use a leaseTime of at least " + minHold);
        }
        boolean asynchronous = CompletionStage.class.isAssignableFrom(returnType);
        if (whenLocked == WhenLocked.SKIP && returnType.isPrimitive() && returnType != void.class
                && returnType != boolean.class) {
            throw new IllegalStateException("@DistributedLock(whenLocked = SKIP) on " + description
                    + " cannot skip: it returns " + returnType + ", which has no empty value; return an Optional, a "
                    + "wrapper type or void, or use WAIT or FAIL");
        }
        int tokenParameter = findFencingTokenParameter(method, description);
        if (multiKey && tokenParameter >= 0) {
            throw new IllegalStateException("@DistributedLock(keys = \"" + keysText + "\") on " + description
                    + " takes a @FencingToken parameter, but each of its keys has a fencing token of its own; remove "
                    + "the parameter and read them from LockContext.fencingTokens()");
        }
        FencingTokenKind tokenKind = (tokenParameter < 0) ? FencingTokenKind.NONE
                : Objects.requireNonNull(FencingTokenKind.of(method.getParameterTypes()[tokenParameter]));
        ReactiveAdapter reactiveAdapter = ReactiveMethods.lockableAdapter(method);
        Object skippedValue = (asynchronous || reactiveAdapter != null) ? null : emptyValueFor(returnType);
        return new DistributedLockOperation(method, description, name, keyText, keyExpression, leaseTime, waitTime,
                whenLocked, annotation.autoRenew(), tokenParameter, tokenKind, asynchronous, skippedValue,
                LockKeyEvaluator.SHARED.parameterNames(method), minHold, reactiveAdapter, annotation.mode(), multiKey);
    }

    /**
     * Resolves {@link WhenLocked#DEFAULT}: a {@code void} method that Spring schedules skips (another instance runs
     * this period), every other method waits. A policy stated on the annotation is kept as it is.
     */
    private static WhenLocked resolveWhenLocked(WhenLocked declared, Method method) {
        if (declared != WhenLocked.DEFAULT) {
            return declared;
        }
        return (method.getReturnType() == void.class && isScheduled(method)) ? WhenLocked.SKIP : WhenLocked.WAIT;
    }

    // @Scheduled is repeatable: standard repeatables also find the ones inside a @Schedules container.
    private static boolean isScheduled(Method method) {
        return MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY, RepeatableContainers.standardRepeatables())
            .isPresent(Scheduled.class);
    }

    private static int findFencingTokenParameter(Method method, String description) {
        Parameter[] parameters = method.getParameters();
        int found = -1;
        for (int i = 0; i < parameters.length; i++) {
            if (!parameters[i].isAnnotationPresent(FencingToken.class)) {
                continue;
            }
            if (found >= 0) {
                throw new IllegalStateException("@FencingToken may mark one parameter of " + description
                        + ", found two");
            }
            Class<?> type = parameters[i].getType();
            if (FencingTokenKind.of(type) == null) {
                throw new IllegalStateException("@FencingToken parameter " + i + " of " + description
                        + " must be long, Long or OptionalLong, was " + type.getName());
            }
            found = i;
        }
        return found;
    }

    private Duration parseDuration(String text, String attribute, Duration defaultValue, String description) {
        String resolved = resolve(text);
        if (resolved.isEmpty()) {
            return defaultValue;
        }
        try {
            return DurationFormatterUtils.detectAndParse(resolved);
        }
        catch (RuntimeException ex) {
            throw new IllegalStateException("@DistributedLock(" + attribute + " = \"" + text + "\") on " + description
                    + ": '" + resolved + "' is not a duration; use a form such as 30s, 500ms, 2m or PT30S", ex);
        }
    }

    private String resolve(String text) {
        String trimmed = text.trim();
        if (this.valueResolver != null && trimmed.contains("${")) {
            String resolved = this.valueResolver.resolveStringValue(trimmed);
            return (resolved != null) ? resolved.trim() : "";
        }
        return trimmed;
    }

    static String describe(Method method, Class<?> targetClass) {
        String parameters = Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "));
        return ClassUtils.getShortName(targetClass) + "." + method.getName() + "(" + parameters + ")";
    }

    /**
     * Returns the value a skipped call of a method that is not asynchronous returns for the given return type.
     */
    private static @Nullable Object emptyValueFor(Class<?> returnType) {
        if (returnType == boolean.class || returnType == Boolean.class) {
            return Boolean.FALSE;
        }
        if (returnType == Optional.class) {
            return Optional.empty();
        }
        if (returnType == OptionalInt.class) {
            return OptionalInt.empty();
        }
        if (returnType == OptionalLong.class) {
            return OptionalLong.empty();
        }
        if (returnType == OptionalDouble.class) {
            return OptionalDouble.empty();
        }
        if (returnType == List.class) {
            return List.of();
        }
        if (returnType == Set.class) {
            return Set.of();
        }
        if (returnType == Map.class) {
            return Map.of();
        }
        return null;
    }

}
