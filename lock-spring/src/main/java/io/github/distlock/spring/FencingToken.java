package io.github.distlock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a {@link DistributedLock} method that receives the lease's fencing token. Callers pass
 * any value (for example {@code 0}); the interceptor replaces it with the token of the lease it acquired.
 *
 * <p>The parameter type is {@code long}, {@code Long} or {@code OptionalLong}. When the backend issues no fencing
 * tokens, a {@code Long} receives {@code null}, an {@code OptionalLong} is empty, and a {@code long} parameter fails
 * the application's start-up; on a bean created after start-up (a lazy one) or behind a proxy built by hand, its
 * calls fail before any lock is taken.
 *
 * @since 0.1.0
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface FencingToken {
}
