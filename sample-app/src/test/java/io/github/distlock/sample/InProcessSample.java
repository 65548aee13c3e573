package io.github.distlock.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application in the test's own JVM, on a free port and its own in-memory H2 database.
 */
final class InProcessSample implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private InProcessSample(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * Starts the application.
     * @param properties properties that override the application's
     * @param extraConfiguration test configuration classes to add
     * @return the running application
     */
    static InProcessSample start(Map<String, String> properties, Class<?>... extraConfiguration) {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        List<Class<?>> sources = new ArrayList<>(List.of(SampleApplication.class));
        sources.addAll(List.of(extraConfiguration));
        return new InProcessSample(new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
            .run(arguments.toArray(String[]::new)));
    }

    ConfigurableApplicationContext context() {
        return this.context;
    }

    /**
     * Returns the base address of the running application.
     * @return for example {@code http://127.0.0.1:41234}
     */
    String baseUrl() {
        return "http://127.0.0.1:" + this.context.getEnvironment().getRequiredProperty("local.server.port");
    }

    @Override
    public void close() {
        this.context.close();
    }

}
