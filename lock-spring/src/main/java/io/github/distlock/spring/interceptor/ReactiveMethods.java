package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * Recognises methods whose work runs after they return, when the interceptor has already released the lock:
 * methods returning a reactive type (the work runs when the publisher is subscribed to) and Kotlin
 * {@code suspend} functions (the work may resume later). Until reactive support exists they are refused at
 * start-up, because locking them would lock only the assembly of the publisher.
 *
 * <p>Types are recognised by class name through the type hierarchy ({@code org.reactivestreams.Publisher},
 * {@code java.util.concurrent.Flow.Publisher}, Kotlin's {@code Flow}), so that no reactive library is needed, and
 * by Spring's {@link ReactiveAdapterRegistry} for the others it knows (RxJava, Mutiny, ...). A
 * {@link CompletionStage} is supported: the interceptor holds the lock until it completes. Stateless and
 * thread-safe.
 */
final class ReactiveMethods {

    private static final Set<String> REACTIVE_TYPE_NAMES = Set.of("org.reactivestreams.Publisher",
            "java.util.concurrent.Flow$Publisher", "kotlinx.coroutines.flow.Flow");

    private static final String CONTINUATION = "kotlin.coroutines.Continuation";

    private ReactiveMethods() {
    }

    /**
     * Explains why the method's work would run after the lock is released, or returns {@code null} if it would not.
     * @param method the annotated method
     * @return what the method is ({@code "returns reactor.core.publisher.Mono, a reactive type"}), or {@code null}
     */
    static @Nullable String whyWorkOutlivesTheCall(Method method) {
        Class<?>[] parameterTypes = method.getParameterTypes();
        // The Kotlin compiler turns a suspend function into one whose last parameter is its continuation.
        if (parameterTypes.length > 0 && parameterTypes[parameterTypes.length - 1].getName().equals(CONTINUATION)) {
            return "is a Kotlin suspend function, whose work may resume after the lock would already have been "
                    + "released";
        }
        Class<?> returnType = method.getReturnType();
        if (CompletionStage.class.isAssignableFrom(returnType)) {
            return null;
        }
        boolean reactive = hasReactiveTypeName(returnType)
                || ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType) != null;
        if (reactive) {
            return "returns " + returnType.getName() + ", a reactive type whose work runs when it is subscribed to, "
                    + "after the lock would already have been released";
        }
        return null;
    }

    private static boolean hasReactiveTypeName(@Nullable Class<?> type) {
        if (type == null) {
            return false;
        }
        if (REACTIVE_TYPE_NAMES.contains(type.getName())) {
            return true;
        }
        for (Class<?> implemented : type.getInterfaces()) {
            if (hasReactiveTypeName(implemented)) {
                return true;
            }
        }
        return hasReactiveTypeName(type.getSuperclass());
    }

}
