package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;

/**
 * The root object of a key expression: {@code #root.methodName}, {@code #root.args[0]}, {@code #root.target}.
 * Read-only.
 */
public final class LockKeyRoot {

    private final Method method;

    private final Object[] args;

    private final Object target;

    LockKeyRoot(Method method, Object[] args, Object target) {
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
     * Returns the target object.
     * @return the target
     */
    public Object getTarget() {
        return this.target;
    }

}
