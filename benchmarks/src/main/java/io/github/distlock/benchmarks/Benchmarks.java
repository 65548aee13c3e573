package io.github.distlock.benchmarks;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.github.distlock.benchmarks.JmhSuite.Score;
import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.benchmarks.harness.ComparisonHarness;
import io.github.distlock.benchmarks.harness.ComparisonResult;
import io.github.distlock.benchmarks.harness.HarnessSettings;

import org.jspecify.annotations.Nullable;

/**
 * The benchmark command: {@code java -jar benchmarks/target/benchmarks.jar quick|full|smoke [options]}. Runs the
 * JMH benchmarks, then the comparison against the other Redis locks and the PostgreSQL locks, and writes a Markdown report to
 * {@code benchmarks/target/benchmark-results/<time>/report.md} (and to standard output).
 *
 * <p>Options: {@code --no-jmh}, {@code --no-comparison}, {@code --contenders=distlock,redisson} (the floor is always
 * included), {@code --out=DIRECTORY}.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * Runs the benchmarks.
     * @param args the profile and options
     * @throws Exception if a benchmark cannot run
     */
    public static void main(String[] args) throws Exception {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        Profile profile = Profile.QUICK;
        if (!arguments.isEmpty() && !arguments.get(0).startsWith("--")) {
            profile = Profile.valueOf(arguments.remove(0).toUpperCase(Locale.ROOT));
        }
        boolean jmh = profile.jmh() != null;
        boolean comparison = true;
        HarnessSettings settings = profile.comparison();
        Path out = defaultResultsDirectory()
            .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + profile.name().toLowerCase(Locale.ROOT));
        for (String argument : arguments) {
            if (argument.equals("--no-jmh")) {
                jmh = false;
            }
            else if (argument.equals("--no-comparison")) {
                comparison = false;
            }
            else if (argument.startsWith("--contenders=")) {
                settings = settings.withContenders(Arrays.stream(argument.substring("--contenders=".length())
                    .split(",")).map(Contenders::byId).toList());
            }
            else if (argument.startsWith("--out=")) {
                out = Path.of(argument.substring("--out=".length()));
            }
            else {
                throw new IllegalArgumentException("Unknown option " + argument + "; usage: quick|full|smoke "
                        + "[--no-jmh] [--no-comparison] [--contenders=a,b] [--out=DIR]");
            }
        }
        Files.createDirectories(out);
        long start = System.nanoTime();
        Map<String, String> environment = environment(profile);
        List<Score> scores = List.of();
        JmhSuite.Settings jmhSettings = profile.jmh();
        if (jmh && jmhSettings != null) {
            System.out.println("JMH: " + jmhSettings + " (log: " + out.resolve("jmh.log") + ")");
            scores = JmhSuite.run(jmhSettings, out.resolve("jmh.log"));
            scores.forEach(score -> System.out.printf(Locale.ROOT, "  %-52s %,10.0f %s%n", score.benchmark(),
                    score.score(), score.unit()));
        }
        ComparisonResult result = null;
        if (comparison) {
            System.out.println("Comparison: " + settings);
            result = new ComparisonHarness(settings, out, System.out::println).run();
        }
        environment.put("load average at the end", loadAverage());
        environment.put("run took", String.format(Locale.ROOT, "%.1f min", (System.nanoTime() - start) / 6e10));
        String report = Report.markdown(environment, result, scores);
        Path reportFile = out.resolve("report.md");
        Files.writeString(reportFile, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("Report written to " + reportFile.toAbsolutePath());
    }

    private static Map<String, String> environment(Profile profile) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        environment.put("profile", profile.name().toLowerCase(Locale.ROOT));
        environment.put("CPUs", Integer.toString(Runtime.getRuntime().availableProcessors()));
        environment.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        environment.put("JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        environment.put("load average at the start", loadAverage());
        environment.put("versions", String.join(", ",
                "Jedis " + version("redis.clients", "jedis", null),
                "Redisson " + version("org.redisson", "redisson", null),
                "Spring Integration " + version(null, null, "org.springframework.integration.redis.util.RedisLockRegistry"),
                "Spring Data Redis " + version(null, null, "org.springframework.data.redis.core.RedisTemplate"),
                "Lettuce " + version("io.lettuce", "lettuce-core", "io.lettuce.core.RedisClient"),
                "ShedLock " + version("net.javacrumbs.shedlock", "shedlock-provider-redis-spring", null),
                "lock4j " + version("com.baomidou", "lock4j-core", null),
                "PostgreSQL JDBC " + version("org.postgresql", "postgresql", "org.postgresql.Driver"),
                "HikariCP " + version("com.zaxxer", "HikariCP", "com.zaxxer.hikari.HikariDataSource"),
                "JMH " + version("org.openjdk.jmh", "jmh-core", null)));
        return environment;
    }

    private static String version(@Nullable String groupId, @Nullable String artifactId, @Nullable String className) {
        if (groupId != null && artifactId != null) {
            String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
            try (var in = Benchmarks.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    return properties.getProperty("version", "?");
                }
            }
            catch (IOException ex) {
                // Fall through to the manifest.
            }
        }
        if (className != null) {
            try {
                String version = Class.forName(className).getPackage().getImplementationVersion();
                return (version != null) ? version : "?";
            }
            catch (ClassNotFoundException ex) {
                return "absent";
            }
        }
        return "?";
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (IOException ex) {
            return "unknown";
        }
    }

    private static Path defaultResultsDirectory() throws URISyntaxException {
        // target/benchmarks.jar or target/classes: results go next to them, under target/.
        Path code = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return code.getParent().resolve("benchmark-results");
    }

}
