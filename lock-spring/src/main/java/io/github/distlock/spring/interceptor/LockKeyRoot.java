package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * The root object of a key expression: {@code #root.methodName}, {@code #root.args[0]}, {@code #root.target}, or
 * without {@code #root.}, {@code methodName}. Its properties are {@code method}, {@code methodName}, {@code args} and
 * {@code target}; a key that reads any other name from it fails start-up. Read-only.
 *
 * @since 0.1.0
 */
public final class LockKeyRoot {

    private final Method method;

    private final Object[] args;

    private final @Nullable Object target;

    LockKeyRoot(Method method, Object[] args, @Nullable Object target) {
        this.method = method;
        this.args = args;
        this.target = target;
    }

    /**
     * Returns the invoked method.
     * @return the method
     */
    public Method getMethod() {
        return this.method;
    }

    /**
     * Returns the invoked method's name.
     * @return the method name
     */
    public String getMethodName() {
        return this.method.getName();
    }

    /**
     * Returns the arguments of the call.
     * @return the arguments
     */
    public Object[] getArgs() {
        return this.args;
    }

    /**
     * Returns the target object: the bean behind the proxy, or {@code null} when the call was made on a proxy
     * without a target (one whose advice answers the call itself), which is locked all the same.
     * @return the target, or {@code null} for a proxy without a target
     */
    public @Nullable Object getTarget() {
        return this.target;
    }

}
