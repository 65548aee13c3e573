package io.github.distlock.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.github.distlock.core.InvalidSettingException;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Builds a settings record of the library from bound properties. The records hold the rules (each written once);
 * when one refuses a value, its {@link InvalidSettingException} becomes Spring Boot's
 * {@link InvalidConfigurationPropertyValueException}, naming the property the setting came from.
 */
final class SettingsFromProperties {

    private SettingsFromProperties() {
    }

    /**
     * Builds the record.
     * @param <T> the record type
     * @param prefix the properties' prefix, for example {@code distributed-lock}
     * @param propertyBySetting the property (without the prefix) of each setting of the record
     * @param factory builds the record from the properties
     * @return the record
     * @throws InvalidConfigurationPropertyValueException naming the property of the invalid setting
     */
    static <T> T build(String prefix, Map<String, String> propertyBySetting, Supplier<T> factory) {
        try {
            return factory.get();
        }
        catch (InvalidSettingException ex) {
            String property = propertyBySetting.get(ex.getSetting());
            if (property == null) {
                // A setting that no property feeds: a default of the library, so not the user's to fix here.
                throw ex;
            }
            throw new InvalidConfigurationPropertyValueException(prefix + "." + property, ex.getValue(),
                    ex.getReason());
        }
    }

    /**
     * Pairs settings with properties.
     * @param settingThenProperty a setting's name, then its property's, and so on
     * @return the map, in the given order
     */
    static Map<String, String> names(String... settingThenProperty) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i + 1 < settingThenProperty.length; i += 2) {
            names.put(settingThenProperty[i], settingThenProperty[i + 1]);
        }
        return names;
    }

}
