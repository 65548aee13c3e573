package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/**
 * Recognises methods whose work runs after they return: methods returning a reactive type (the work runs when the
 * publisher is subscribed to) and Kotlin {@code suspend} functions (the work may resume later).
 *
 * <p>A reactive type that Spring's {@link ReactiveAdapterRegistry} knows is locked by {@link ReactiveLocking}, from
 * subscription to termination, when Reactor is on the class path ({@link #lockableAdapter}). Every other such
 * method is refused at start-up ({@link #whyWorkOutlivesTheCall}), because locking it would lock only the assembly
 * of the publisher: a reactive type without Reactor, or one the registry does not know (Kotlin's {@code Flow}
 * without {@code kotlinx-coroutines-reactor}), and every {@code suspend} function. Unknown reactive types are
 * recognised by class name through the type hierarchy ({@code org.reactivestreams.Publisher},
 * {@code java.util.concurrent.Flow.Publisher}, Kotlin's {@code Flow}), so that no reactive library is needed for
 * the refusal. A {@link CompletionStage} is neither: the interceptor holds the lock until it completes. Stateless
 * and thread-safe.
 */
final class ReactiveMethods {

    /** Whether Reactor is on the class path; {@link ReactiveLocking} is touched only when it is. */
    static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
            ReactiveMethods.class.getClassLoader());

    private static final Set<String> REACTIVE_TYPE_NAMES = Set.of("org.reactivestreams.Publisher",
            "java.util.concurrent.Flow$Publisher", "kotlinx.coroutines.flow.Flow");

    private static final String CONTINUATION = "kotlin.coroutines.Continuation";

    private ReactiveMethods() {
    }

    /**
     * Returns the adapter through which the interceptor locks the method's reactive return type, or {@code null}
     * when the method does not return one that can be locked (a {@code CompletionStage}, which the interceptor
     * adapts itself, included).
     * @param method the annotated method
     * @return the adapter of its return type, or {@code null}
     */
    static @Nullable ReactiveAdapter lockableAdapter(Method method) {
        Class<?> returnType = method.getReturnType();
        if (!REACTOR_PRESENT || isSuspendFunction(method) || CompletionStage.class.isAssignableFrom(returnType)) {
            return null;
        }
        ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType);
        // The locked publisher is adapted back to the adapter's type, which the method's return type must accept.
        return (adapter != null && returnType.isAssignableFrom(adapter.getReactiveType())) ? adapter : null;
    }

    /**
     * Explains why the method's work would run after the lock is released, or returns {@code null} if it would not
     * (a method whose reactive type {@link #lockableAdapter} locks included).
     * @param method the annotated method
     * @return what the method is ({@code "is a Kotlin suspend function, ..."}), or {@code null}
     */
    static @Nullable String whyWorkOutlivesTheCall(Method method) {
        if (isSuspendFunction(method)) {
            return "is a Kotlin suspend function, whose work may resume after the lock would already have been "
                    + "released; suspend functions are not supported: return a Mono or a Flow instead";
        }
        Class<?> returnType = method.getReturnType();
        if (CompletionStage.class.isAssignableFrom(returnType) || lockableAdapter(method) != null) {
            return null;
        }
        ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType);
        if (adapter == null && !hasReactiveTypeName(returnType)) {
            return null;
        }
        String needs;
        if (!REACTOR_PRESENT) {
            needs = "Reactor (io.projectreactor:reactor-core) on the class path";
        }
        else if (adapter != null) {
            needs = "a declared return type that the locked publisher can be: declare it as "
                    + adapter.getReactiveType().getName();
        }
        else {
            needs = "a type that Spring's ReactiveAdapterRegistry knows (for Kotlin's Flow, add "
                    + "kotlinx-coroutines-reactor)";
        }
        return "returns " + returnType.getName() + ", a reactive type whose work runs when it is subscribed to, "
                + "after the lock would already have been released; a reactive method is locked from subscription "
                + "to termination only with " + needs;
    }

    private static boolean isSuspendFunction(Method method) {
        Class<?>[] parameterTypes = method.getParameterTypes();
        // The Kotlin compiler turns a suspend function into one whose last parameter is its continuation.
        return parameterTypes.length > 0 && parameterTypes[parameterTypes.length - 1].getName().equals(CONTINUATION);
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
