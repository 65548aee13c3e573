package io.github.distlock.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.github.distlock.benchmarks.jmh.AnnotationOverheadBenchmark;
import io.github.distlock.benchmarks.jmh.EngineBenchmark;
import io.github.distlock.benchmarks.jmh.InterceptorOverheadBenchmark;
import io.github.distlock.benchmarks.jmh.NoOpObservationInterceptorBenchmark;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of {@code io.github.distlock.benchmarks.jmh} in forked JVMs on this JVM's class path and
 * returns their scores.
 */
final class JmhSuite {

    private JmhSuite() {
    }

    /**
     * How long JMH runs.
     * @param forks forked JVMs per benchmark
     * @param warmupIterations warm-up iterations per fork
     * @param measurementIterations measured iterations per fork
     * @param iterationMillis the length of each iteration
     */
    record Settings(int forks, int warmupIterations, int measurementIterations, long iterationMillis) {
    }

    /**
     * One benchmark's score.
     * @param benchmark {@code Class.method}
     * @param score the mean
     * @param error the 99.9 % confidence half-width, NaN with too few samples
     * @param unit the unit, for example {@code ns/op}
     */
    record Score(String benchmark, double score, double error, String unit) {
    }

    static List<Score> run(Settings settings, Path log) throws RunnerException {
        Options options = new OptionsBuilder()
            .include(AnnotationOverheadBenchmark.class.getName())
            .include(EngineBenchmark.class.getName())
            .include(InterceptorOverheadBenchmark.class.getName())
            .include(NoOpObservationInterceptorBenchmark.class.getName())
            .forks(settings.forks())
            .warmupIterations(settings.warmupIterations())
            .warmupTime(TimeValue.milliseconds(settings.iterationMillis()))
            .measurementIterations(settings.measurementIterations())
            .measurementTime(TimeValue.milliseconds(settings.iterationMillis()))
            .threads(1)
            .jvmArgsAppend("-Xms512m", "-Xmx512m")
            .shouldFailOnError(true)
            .output(log.toString())
            .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Score> scores = new ArrayList<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            String[] parts = name.split("\\.");
            scores.add(new Score(parts[parts.length - 2] + "." + parts[parts.length - 1],
                    result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError(),
                    result.getPrimaryResult().getScoreUnit()));
        }
        return scores;
    }

}
