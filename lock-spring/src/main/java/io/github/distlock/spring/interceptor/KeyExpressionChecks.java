package io.github.distlock.spring.interceptor;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.Indexer;
import org.springframework.expression.spel.ast.InlineMap;
import org.springframework.expression.spel.ast.MethodReference;
import org.springframework.expression.spel.ast.Projection;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.Selection;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * What a parsed key expression's syntax tree shows before any call: the declared type of a key that reads a
 * parameter and its properties, and the names it reads from the root object ({@link LockKeyRoot}), which must
 * exist there. Only reads the tree; stateless and thread-safe.
 */
final class KeyExpressionChecks {

    private KeyExpressionChecks() {
    }

    /**
     * Returns the declared type of a key that is a parameter ({@code #order}, {@code #p0}, {@code #a0}), possibly
     * followed by plain property references ({@code #order.customer}), resolved through the parameter type and the
     * getter or field types. Anything else (an operator, a method call, an index, a property that cannot be found)
     * gives {@code null}: the value is then only checked at each call.
     * @param ast the parsed expression
     * @param method the annotated method
     * @param parameterNames the method's parameter names, or empty when they are not available
     * @return the declared type of the key, or {@code null} if the expression does not show it
     */
    static @Nullable Class<?> declaredKeyType(SpelNode ast, Method method, List<String> parameterNames) {
        SpelNode variable = (ast instanceof CompoundExpression) ? ast.getChild(0) : ast;
        if (!(variable instanceof VariableReference)) {
            return null;
        }
        String name = variable.toStringAST().substring(1);
        // SpEL's own variables read the root object (or the current element), never a parameter.
        Integer index = (name.equals("root") || name.equals("this")) ? null
                : boundParameters(method, parameterNames).get(name);
        if (index == null) {
            return null;
        }
        ResolvableType type = ResolvableType.forMethodParameter(method, index);
        int length = (ast == variable) ? 1 : ast.getChildCount();
        for (int i = 1; i < length; i++) {
            if (!(ast.getChild(i) instanceof PropertyOrFieldReference property)) {
                return null;
            }
            Class<?> owner = type.resolve();
            if (owner == null) {
                return null;
            }
            if (owner.isArray() && property.getName().equals("length")) {
                type = ResolvableType.forClass(int.class);
                continue;
            }
            Member member = readableProperty(owner, property.getName());
            if (member == null) {
                return null;
            }
            type = (member instanceof Method getter)
                    ? ResolvableType.forMethodParameter(new MethodParameter(getter, -1), type)
                    : ResolvableType.forField((Field) member, type);
        }
        return type.resolve();
    }

    /**
     * Returns the first property or method that the expression reads from the root object and that
     * {@link LockKeyRoot} does not have, such as {@code daily} in the unquoted constant {@code daily-report}. A
     * name is read from the root object when it starts the expression or one of its operands, a method argument or
     * an index, or follows {@code #root}. Names inside a selection or projection are read from each element, and
     * a bare name as an index or an inline map's key may be a literal map key: those are not checked.
     * @param ast the parsed expression
     * @return the property ({@code daily}) or method ({@code daily()}) that is missing, or {@code null}
     */
    static @Nullable String missingRootReference(SpelNode ast) {
        return missingRootReference(ast, true);
    }

    private static @Nullable String missingRootReference(SpelNode node, boolean readsTheRoot) {
        if (node instanceof Selection || node instanceof Projection) {
            return null;
        }
        if (node instanceof PropertyOrFieldReference property) {
            return (readsTheRoot && readableProperty(LockKeyRoot.class, property.getName()) == null)
                    ? property.getName() : null;
        }
        if (node instanceof MethodReference call && readsTheRoot
                && !ClassUtils.hasAtLeastOneMethodWithName(LockKeyRoot.class, call.getName())) {
            return call.getName() + "()";
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            SpelNode child = node.getChild(i);
            boolean childReadsTheRoot;
            if (node instanceof CompoundExpression) {
                // a.b.c: only the first step reads the current object; #root.b reads the root as well.
                childReadsTheRoot = (i == 0) ? readsTheRoot : (i == 1 && isRootVariable(node.getChild(0)));
            }
            else if (node instanceof MethodReference || node instanceof Indexer) {
                // Arguments and indexes are evaluated against the root again.
                childReadsTheRoot = true;
            }
            else {
                childReadsTheRoot = readsTheRoot;
            }
            boolean mayBeLiteralMapKey = (node instanceof Indexer || (node instanceof InlineMap && i % 2 == 0))
                    && child instanceof PropertyOrFieldReference;
            if (mayBeLiteralMapKey) {
                continue;
            }
            String missing = missingRootReference(child, childReadsTheRoot);
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }

    private static boolean isRootVariable(SpelNode node) {
        return node instanceof VariableReference && node.toStringAST().equals("#root");
    }

    /**
     * Finds how a read-only data-binding property accessor reads the property: a public getter {@code getName()}
     * or {@code isName()}, a record-style {@code name()}, or a public field.
     * @return the getter or field, or {@code null} if the class has none
     */
    static @Nullable Member readableProperty(Class<?> type, String name) {
        String capitalized = StringUtils.capitalize(name);
        for (String candidate : List.of("get" + capitalized, "is" + capitalized, name)) {
            Method getter = ReflectionUtils.findMethod(type, candidate);
            if (getter != null && Modifier.isPublic(getter.getModifiers()) && getter.getReturnType() != void.class
                    && !Modifier.isStatic(getter.getModifiers())) {
                return getter;
            }
        }
        Field field = ReflectionUtils.findField(type, name);
        return (field != null && Modifier.isPublic(field.getModifiers())) ? field : null;
    }

    /**
     * The parameter each variable names, bound in the order the evaluator binds them: {@code #p0}, {@code #a0},
     * then the name, for each parameter in turn (a later binding of the same variable wins).
     */
    private static Map<String, Integer> boundParameters(Method method, List<String> parameterNames) {
        Map<String, Integer> bound = new HashMap<>();
        for (int i = 0; i < method.getParameterCount(); i++) {
            bound.put("p" + i, i);
            bound.put("a" + i, i);
            if (!parameterNames.isEmpty()) {
                bound.put(parameterNames.get(i), i);
            }
        }
        return bound;
    }

}
