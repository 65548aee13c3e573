package io.github.distlock.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Whether {@code distributed-lock.redis.redlock.nodes} is set, in either form ({@code a:1,b:2} or {@code nodes[0]}),
 * which selects Redlock over the single Redis connection; {@link Configured} and {@link NotConfigured} put the
 * Redlock beans and the single-connection beans of {@link RedisBackendConfiguration} on either side of it.
 */
abstract class RedlockCondition extends SpringBootCondition {

    static final String NODES = RedisLockProperties.PREFIX + ".redlock.nodes";

    private final boolean whenConfigured;

    RedlockCondition(boolean whenConfigured) {
        this.whenConfigured = whenConfigured;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        boolean configured = Binder.get(context.getEnvironment()).bind(NODES, Bindable.listOf(String.class)).isBound();
        ConditionMessage message = ConditionMessage.forCondition("Redlock")
            .because(NODES + (configured ? " is set" : " is not set"));
        return (configured == this.whenConfigured) ? ConditionOutcome.match(message)
                : ConditionOutcome.noMatch(message);
    }

    /** Matches when the Redlock masters are configured. */
    static final class Configured extends RedlockCondition {

        Configured() {
            super(true);
        }

    }

    /** Matches when they are not: the locks use one Redis connection (server, Sentinel or Cluster). */
    static final class NotConfigured extends RedlockCondition {

        NotConfigured() {
            super(false);
        }

    }

}
