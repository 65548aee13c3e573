package io.github.distlock.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.core.type.ClassMetadata;

/**
 * The condition on every backend configuration class: it matches when {@code distributed-lock.backend} names that
 * configuration's backend, or when the property is not set (then the configuration's own conditions and the order
 * of {@link LockBackendType} decide). A value that is not a {@link LockBackendType} fails start-up naming the
 * property.
 */
class LockBackendCondition extends SpringBootCondition {

    static final String PROPERTY = DistributedLockProperties.PREFIX + ".backend";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String sourceClass = (metadata instanceof ClassMetadata classMetadata) ? classMetadata.getClassName() : "";
        LockBackendType type = LockBackendType.forConfigurationClass(sourceClass);
        ConditionMessage.Builder message = ConditionMessage.forCondition("Lock backend", sourceClass);
        BindResult<LockBackendType> specified = Binder.get(context.getEnvironment())
            .bind(PROPERTY, LockBackendType.class);
        if (!specified.isBound()) {
            return ConditionOutcome.match(message.because("automatic backend detection"));
        }
        if (specified.get() == type) {
            return ConditionOutcome.match(message.because(PROPERTY + " is " + type));
        }
        return ConditionOutcome.noMatch(message.because(PROPERTY + " is " + specified.get()));
    }

}
