package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Decides whether the text of a key value identifies what the call is about, so that two calls about the same
 * thing get the same lock. Two kinds of value are refused:
 * <ul>
 * <li>an object whose class inherits {@link Object#toString()}: its text is its class name and hash code
 * ({@code Order@1b2c3d}), so calls about the same order would never contend;
 * <li>an array, a {@link Collection} or a {@link Map} as one key: one lock on their text does not exclude a call
 * whose elements overlap, and an array's text is again its identity ({@code keys} locks each element instead).
 * </ul>
 * The answer for a class is computed once. Thread-safe.
 */
final class LockKeyTypes {

    private static final ClassValue<Boolean> INHERITS_OBJECT_TO_STRING = new ClassValue<>() {

        @Override
        protected Boolean computeValue(Class<?> type) {
            Method toString = ReflectionUtils.findMethod(type, "toString");
            return toString != null && toString.getDeclaringClass() == Object.class;
        }

    };

    /** A parameter, possibly followed by plain properties: a suggestion can append {@code .id} to it. */
    private static final Pattern PROPERTY_PATH = Pattern.compile("#[\\p{L}_$][\\w$]*(\\.[\\p{L}_$][\\w$]*)*");

    private LockKeyTypes() {
    }

    /**
     * Explains why a value of the given runtime class cannot be a key, or returns {@code null} if it can.
     * @param type the class of an evaluated key
     * @param expressionText the key expression, for the suggestion
     * @return what the value is and what to do instead, or {@code null}
     */
    static @Nullable String problemWithValueOf(Class<?> type, String expressionText) {
        if (type == String.class) {
            return null;
        }
        String multiple = problemWithMultipleValues(type);
        if (multiple != null) {
            return multiple;
        }
        return INHERITS_OBJECT_TO_STRING.get(type) ? problemWithObjectToString(type, expressionText) : null;
    }

    /**
     * Explains why every value of the given declared type would be refused, or returns {@code null} when the
     * declared type cannot tell (an interface, an abstract class, {@code Object}): the value is then checked at
     * each call.
     * @param type the declared type of the key
     * @param expressionText the key expression, for the suggestion
     * @return what the key is and what to do instead, or {@code null}
     */
    static @Nullable String problemWithDeclaredType(Class<?> type, String expressionText) {
        String multiple = problemWithMultipleValues(type);
        if (multiple != null) {
            return multiple;
        }
        boolean concrete = !type.isInterface() && !type.isPrimitive() && !Modifier.isAbstract(type.getModifiers())
                && type != Object.class;
        return (concrete && INHERITS_OBJECT_TO_STRING.get(type)) ? problemWithObjectToString(type, expressionText)
                : null;
    }

    /**
     * Explains why the declared type of a {@code keys} expression cannot give several keys, or returns {@code null}
     * if it can (an array, an {@link Iterable}) or the declared type cannot tell.
     * @param type the declared type of the expression
     * @return what the value is and what to do instead, or {@code null}
     */
    static @Nullable String problemWithDeclaredKeysType(Class<?> type) {
        if (type.isArray() || Iterable.class.isAssignableFrom(type) || type == Object.class) {
            return null;
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a map (" + ClassUtils.getShortName(type) + "), not a collection or array of keys; use its keySet() "
                    + "or values()";
        }
        boolean couldBeIterable = (type.isInterface() || Modifier.isAbstract(type.getModifiers()))
                && !type.isPrimitive();
        return couldBeIterable ? null : ClassUtils.getShortName(type) + ", not a collection or array of keys; for one "
                + "key, write the expression as key = \"...\"";
    }

    private static @Nullable String problemWithMultipleValues(Class<?> type) {
        String why;
        if (type.isArray()) {
            why = "an array (" + ClassUtils.getShortName(type) + "), whose text is its identity (" + type.getName()
                    + "@1b2c3d), so calls would never contend";
        }
        else if (Collection.class.isAssignableFrom(type)) {
            why = "a collection (" + ClassUtils.getShortName(type) + "), and one lock on its text would not exclude "
                    + "a call whose collection overlaps it";
        }
        else if (Map.class.isAssignableFrom(type)) {
            why = "a map (" + ClassUtils.getShortName(type) + "), and one lock on its text would not exclude a call "
                    + "whose map overlaps it";
        }
        else {
            return null;
        }
        return why + "; to lock each element, write the expression as keys = \"...\" instead of key, or use one "
                + "value that identifies the work";
    }

    private static String problemWithObjectToString(Class<?> type, String expressionText) {
        String name = ClassUtils.getShortName(type);
        String simpleName = name.substring(name.lastIndexOf('.') + 1);
        String property = PROPERTY_PATH.matcher(expressionText).matches() ? " such as " + expressionText + ".id"
                : " of it that identifies it";
        String article = "AEIOU".indexOf(Character.toUpperCase(simpleName.charAt(0))) >= 0 ? "an " : "a ";
        return article + name + ", which has no toString() of its own: its text is its class name and hash code ("
                + simpleName + "@1b2c3d), so calls about the same thing would never contend; use a property" + property
                + ", or give " + simpleName + " a toString() that identifies it";
    }

}
