package io.github.distlock.spring.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.github.distlock.spring.LockKeyEvaluationException;

import org.jspecify.annotations.Nullable;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.DataBindingPropertyAccessor;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.util.ClassUtils;
import org.springframework.util.ObjectUtils;

/**
 * Parses key expressions once (when the bean is created) and evaluates them per call against a read-only context:
 * method parameters by name and as {@code #p0}/{@code #a0}, and the {@link LockKeyRoot}. Type references, bean
 * references, constructors and assignments are not available, and argument values are only ever data, never parsed
 * as expressions. Thread-safe.
 *
 * <p>There is one evaluator, {@link #SHARED}: the operation source parses with it and the aspect evaluates with it.
 * It keeps no state between calls (the parser and the parameter name discoverer are thread-safe and stateless), so
 * one instance serves every application context.
 */
final class LockKeyEvaluator {

    static final LockKeyEvaluator SHARED = new LockKeyEvaluator();

    // One shared accessor: SpEL reuses the accessor it cached on an expression only when the context offers the same
    // instance, so a new accessor per call would repeat the reflective property lookup on every call.
    private static final PropertyAccessor READ_ONLY_PROPERTIES = DataBindingPropertyAccessor.forReadOnlyAccess();

    private final SpelExpressionParser parser = new SpelExpressionParser();

    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

    private LockKeyEvaluator() {
    }

    /**
     * Parses the expression and checks that every variable it reads is a parameter of the method, that every name
     * it reads from the root object exists on {@link LockKeyRoot} (an unquoted constant such as
     * {@code daily-report} would otherwise fail every call), and that a key whose declared type shows that its text
     * cannot identify the call (see {@link LockKeyTypes}) is refused.
     * @throws IllegalStateException naming the method and the expression if it is invalid
     */
    Expression parse(String expressionText, Method method, String description) {
        return parse(expressionText, method, description, false);
    }

    /**
     * Parses a key expression as {@link #parse(String, Method, String)} does; for a {@code keys} expression
     * ({@code multiKey}) the declared type must be able to hold several keys (see
     * {@link LockKeyTypes#problemWithDeclaredKeysType}).
     * @throws IllegalStateException naming the method and the expression if it is invalid
     */
    Expression parse(String expressionText, Method method, String description, boolean multiKey) {
        Expression expression;
        try {
            expression = this.parser.parseExpression(expressionText);
        }
        catch (ParseException ex) {
            throw new IllegalStateException("Invalid @DistributedLock key expression '" + expressionText + "' on "
                    + description + ": " + ex.getMessage(), ex);
        }
        if (expression instanceof SpelExpression spel) {
            Set<String> known = knownVariables(method);
            List<String> referenced = new ArrayList<>();
            collectVariables(spel.getAST(), referenced);
            for (String variable : referenced) {
                if (!known.contains(variable)) {
                    throw new IllegalStateException("@DistributedLock key expression '" + expressionText + "' on "
                            + description + " refers to #" + variable + ", which is not a parameter; available: "
                            + describe(method, known));
                }
            }
            String missing = KeyExpressionChecks.missingRootReference(spel.getAST());
            if (missing != null) {
                throw new IllegalStateException("@DistributedLock key expression '" + expressionText + "' on "
                        + description + " reads '" + missing + "' from the key's root object, which has no such "
                        + "property or method (it has method, methodName, args and target)"
                        + hintForRootReference(missing, method, expressionText));
            }
            Class<?> declaredType = KeyExpressionChecks.declaredKeyType(spel.getAST(), method, parameterNames(method));
            String problem = null;
            if (declaredType != null) {
                problem = multiKey ? LockKeyTypes.problemWithDeclaredKeysType(declaredType)
                        : LockKeyTypes.problemWithDeclaredType(declaredType, expressionText);
            }
            if (problem != null) {
                throw new IllegalStateException("@DistributedLock " + (multiKey ? "keys" : "key") + " expression '"
                        + expressionText + "' on " + description + " gives " + problem);
            }
        }
        return expression;
    }

    /**
     * Evaluates the key for one call.
     * @throws LockKeyEvaluationException if evaluation fails or gives {@code null}, an empty string, or a value whose
     *     text does not identify it (see {@link LockKeyTypes})
     */
    String evaluate(DistributedLockOperation operation, Object[] args, @Nullable Object target) {
        Expression expression = operation.keyExpression();
        if (expression == null) {
            return "";
        }
        return keyOf(operation, valueOf(expression, operation, args, target), "");
    }

    /**
     * Evaluates the keys of a multi-key operation for one call: every element of the collection or array the
     * expression gives, in its order, each checked as {@link #evaluate} checks a key.
     * @throws LockKeyEvaluationException if evaluation fails, gives {@code null}, something that is not a
     *     collection or array, no element at all, or an element that is not a valid key
     */
    List<String> evaluateAll(DistributedLockOperation operation, Object[] args, @Nullable Object target) {
        Expression expression = Objects.requireNonNull(operation.keyExpression(), "a multi-key operation has keys");
        Object value = valueOf(expression, operation, args, target);
        List<Object> elements = new ArrayList<>();
        if (value instanceof Iterable<?> iterable) {
            iterable.forEach(elements::add);
        }
        else if (value != null && value.getClass().isArray()) {
            elements.addAll(Arrays.asList(ObjectUtils.toObjectArray(value)));
        }
        else {
            throw new LockKeyEvaluationException("@DistributedLock keys expression '" + operation.keyExpressionText()
                    + "' on " + operation.description() + " evaluated to "
                    + ((value == null) ? "null" : "a " + ClassUtils.getShortName(value.getClass()))
                    + ", not a collection or array of keys; no lock was taken");
        }
        if (elements.isEmpty()) {
            throw new LockKeyEvaluationException("@DistributedLock keys expression '" + operation.keyExpressionText()
                    + "' on " + operation.description() + " evaluated to no keys at all; no lock was taken (the "
                    + "method would have run unlocked)");
        }
        List<String> keys = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            keys.add(keyOf(operation, elements.get(i), " element " + i));
        }
        return keys;
    }

    private Object valueOf(Expression expression, DistributedLockOperation operation, Object[] args,
            @Nullable Object target) {
        SimpleEvaluationContext context = SimpleEvaluationContext.forPropertyAccessors(READ_ONLY_PROPERTIES)
            .withAssignmentDisabled()
            .withInstanceMethods()
            .withRootObject(new LockKeyRoot(operation.method(), args, target))
            .build();
        List<String> names = operation.parameterNames();
        for (int i = 0; i < args.length; i++) {
            context.setVariable("p" + i, args[i]);
            context.setVariable("a" + i, args[i]);
            if (!names.isEmpty()) {
                context.setVariable(names.get(i), args[i]);
            }
        }
        try {
            return expression.getValue(context);
        }
        catch (RuntimeException ex) {
            throw new LockKeyEvaluationException("@DistributedLock " + attribute(operation) + " expression '"
                    + operation.keyExpressionText() + "' on " + operation.description() + " failed: "
                    + ex.getMessage() + "; no lock was taken", ex);
        }
    }

    /**
     * Checks one evaluated key (a key expression's value, or one element of a keys expression's) and returns its
     * text.
     * @param which empty for a key expression's value, or which element it is
     */
    private static String keyOf(DistributedLockOperation operation, @Nullable Object value, String which) {
        // Refused before toString(): an identity hash as the key would give every call a lock of its own.
        String problem = (value != null) ? LockKeyTypes.problemWithValueOf(value.getClass(),
                operation.keyExpressionText()) : null;
        if (problem != null) {
            throw new LockKeyEvaluationException("@DistributedLock " + attribute(operation) + " expression '"
                    + operation.keyExpressionText() + "' on " + operation.description() + " evaluated" + which
                    + " to " + problem + "; no lock was taken");
        }
        String key = (value != null) ? value.toString() : null;
        if (key == null || key.isEmpty()) {
            throw new LockKeyEvaluationException("@DistributedLock " + attribute(operation) + " expression '"
                    + operation.keyExpressionText() + "' on " + operation.description() + " evaluated" + which
                    + " to " + ((key == null) ? "null" : "an empty string") + "; no lock was taken");
        }
        return key;
    }

    private static String attribute(DistributedLockOperation operation) {
        return operation.multiKey() ? "keys" : "key";
    }

    List<String> parameterNames(Method method) {
        String[] names = this.parameterNames.getParameterNames(method);
        return (names != null) ? List.of(names) : List.of();
    }

    private Set<String> knownVariables(Method method) {
        Set<String> known = new LinkedHashSet<>();
        String[] names = this.parameterNames.getParameterNames(method);
        if (names != null) {
            known.addAll(Arrays.asList(names));
        }
        for (int i = 0; i < method.getParameterCount(); i++) {
            known.add("p" + i);
            known.add("a" + i);
        }
        // SpEL's own variables.
        known.add("root");
        known.add("this");
        return known;
    }

    private String hintForRootReference(String missing, Method method, String expressionText) {
        String parameter = parameterNames(method).contains(missing) ? "; to read the parameter, write #" + missing
                : "";
        if (expressionText.contains("#root." + missing)) {
            return parameter;
        }
        return parameter + "; to use a constant, write it in quotes: '" + expressionText.replace("'", "''") + "'";
    }

    private String describe(Method method, Set<String> known) {
        String[] names = this.parameterNames.getParameterNames(method);
        String hint = (names == null && method.getParameterCount() > 0)
                ? " (parameter names are not available: compile with -parameters to use them)" : "";
        List<String> shown = new ArrayList<>(known);
        shown.removeAll(List.of("root", "this"));
        return shown + hint;
    }

    private static void collectVariables(@Nullable SpelNode node, List<String> into) {
        if (node == null) {
            return;
        }
        if (node instanceof VariableReference) {
            into.add(node.toStringAST().substring(1));
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collectVariables(node.getChild(i), into);
        }
    }

}
