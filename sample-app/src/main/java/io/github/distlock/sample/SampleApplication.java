package io.github.distlock.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The checkout demo application. Run it, open {@code http://localhost:8080/}, and run the scenarios with the lock
 * on and off; start a second instance on another port to see two real instances share the locks.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    private static final String H2_BIND_ADDRESS = "h2.bindAddress";

    /**
     * Starts the application.
     * @param args command-line arguments, for example {@code --server.port=8081}
     */
    public static void main(String[] args) {
        // The instance that opens the shared H2 database first serves it to the others (AUTO_SERVER): on the
        // loopback interface only, unless told otherwise.
        if (System.getProperty(H2_BIND_ADDRESS) == null) {
            System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
        }
        SpringApplication.run(SampleApplication.class, args);
    }

}
