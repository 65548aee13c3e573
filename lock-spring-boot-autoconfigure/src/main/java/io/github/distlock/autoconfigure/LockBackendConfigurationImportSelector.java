package io.github.distlock.autoconfigure;

import java.util.Arrays;

import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Imports the configuration class of every {@link LockBackendType}, in detection order. Each one decides for itself,
 * through {@link LockBackendCondition} and its own conditions, whether it creates the backend.
 */
class LockBackendConfigurationImportSelector implements ImportSelector {

    @Override
    public String[] selectImports(AnnotationMetadata importingClassMetadata) {
        return Arrays.stream(LockBackendType.values())
            .map(LockBackendType::configurationClassName)
            .toArray(String[]::new);
    }

}
