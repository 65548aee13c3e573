package io.github.distlock.spring;

import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.AdviceModeImportSelector;
import org.springframework.util.ClassUtils;

/**
 * Chooses the configuration of {@link EnableDistributedLock#mode()}: the proxy registrar and
 * {@link DistributedLockConfiguration} for {@link AdviceMode#PROXY}, or the AspectJ configuration of
 * {@code lock-spring-aspects} for {@link AdviceMode#ASPECTJ}, named here so that this module does not depend on
 * AspectJ.
 */
class DistributedLockConfigurationSelector extends AdviceModeImportSelector<EnableDistributedLock> {

    /** The configuration of the AspectJ mode, in {@code lock-spring-aspects}. */
    static final String ASPECTJ_CONFIGURATION_CLASS_NAME =
            "io.github.distlock.spring.aspectj.AspectJDistributedLockConfiguration";

    @Override
    protected String[] selectImports(AdviceMode adviceMode) {
        return switch (adviceMode) {
            case PROXY -> new String[] {DistributedLockProxyRegistrar.class.getName(),
                    DistributedLockConfiguration.class.getName()};
            case ASPECTJ -> {
                if (!ClassUtils.isPresent(ASPECTJ_CONFIGURATION_CLASS_NAME, getClass().getClassLoader())) {
                    throw new IllegalStateException("@EnableDistributedLock(mode = AdviceMode.ASPECTJ) needs "
                            + "io.github.distlock:lock-spring-aspects on the class path, and the application's "
                            + "classes woven with its DistributedLockAspect (at compile time or at load time)");
                }
                yield new String[] {ASPECTJ_CONFIGURATION_CLASS_NAME};
            }
        };
    }

}
