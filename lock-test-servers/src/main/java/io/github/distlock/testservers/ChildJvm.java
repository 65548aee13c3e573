package io.github.distlock.testservers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a main class in a JVM of its own: the running JVM's {@code java} with this JVM's class path (under Surefire
 * the test class path, so test classes can be the main class), for tests that need another application instance
 * in a process they can pause and kill, and for the benchmarks' one JVM per contender.
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Returns the command line, for a caller that starts the process itself (to talk to it over standard input and
     * output, for example).
     * @param jvmOptions options for the JVM, such as the heap size
     * @param mainClass the class whose {@code main} runs
     * @param arguments the program's arguments
     * @return the command line
     */
    public static List<String> command(List<String> jvmOptions, Class<?> mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // Surefire may start its JVM from a manifest-only jar; the test class path is then in its own property.
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), mainClass.getName()));
        command.addAll(arguments);
        return command;
    }

    /**
     * Starts the JVM as a {@link LocalProcess}: its output goes to a log file, and it is stopped by its PID.
     * @param jvmOptions options for the JVM
     * @param mainClass the class whose {@code main} runs
     * @param arguments the program's arguments
     * @param directory its working directory, where the log goes too
     * @param logName the log file's name
     * @return the running process
     */
    public static LocalProcess start(List<String> jvmOptions, Class<?> mainClass, List<String> arguments,
            Path directory, String logName) {
        return LocalProcess.start(command(jvmOptions, mainClass, arguments), directory, logName);
    }

}
