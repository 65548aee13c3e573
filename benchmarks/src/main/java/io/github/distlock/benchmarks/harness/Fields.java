package io.github.distlock.benchmarks.harness;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One measurement as named values, written as one line of {@code name=value} pairs between the contender process
 * and the harness. Names and values contain no spaces. Command counts are stored under {@code cmd.<command>}.
 * Not thread-safe.
 */
public final class Fields {

    private static final String COMMAND_PREFIX = "cmd.";

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * Sets a value.
     * @param name the name
     * @param value the value
     * @return this
     */
    public Fields put(String name, Object value) {
        String text = String.valueOf(value);
        if (name.contains(" ") || name.contains("=") || text.contains(" ")) {
            throw new IllegalArgumentException("Field " + name + "=" + text + " contains a space or '='");
        }
        this.values.put(name, text);
        return this;
    }

    /**
     * Stores command counts under {@code cmd.<command>}.
     * @param counts calls by command name
     * @return this
     */
    public Fields putCommands(Map<String, Long> counts) {
        counts.forEach((command, calls) -> put(COMMAND_PREFIX + command, calls));
        return this;
    }

    /**
     * Returns a value as a number.
     * @param name the name
     * @return the value
     * @throws IllegalArgumentException if absent
     */
    public long getLong(String name) {
        return Long.parseLong(get(name));
    }

    /**
     * Returns a value.
     * @param name the name
     * @return the value
     * @throws IllegalArgumentException if absent
     */
    public String get(String name) {
        String value = this.values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("No field '" + name + "' in " + this.values);
        }
        return value;
    }

    /**
     * Returns whether a value is present.
     * @param name the name
     * @return whether it is present
     */
    public boolean has(String name) {
        return this.values.containsKey(name);
    }

    /**
     * Returns the command counts stored with {@link #putCommands}.
     * @return calls by command, sorted by name
     */
    public Map<String, Long> commands() {
        Map<String, Long> commands = new TreeMap<>();
        this.values.forEach((name, value) -> {
            if (name.startsWith(COMMAND_PREFIX)) {
                commands.put(name.substring(COMMAND_PREFIX.length()), Long.parseLong(value));
            }
        });
        return Collections.unmodifiableMap(commands);
    }

    /**
     * Returns the sum of all command counts.
     * @return the total
     */
    public long commandTotal() {
        return commands().values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Writes the values as one line.
     * @return {@code a=1 b=2}
     */
    public String toLine() {
        StringBuilder line = new StringBuilder();
        this.values.forEach((name, value) -> {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(name).append('=').append(value);
        });
        return line.toString();
    }

    /**
     * Reads a line written by {@link #toLine()}.
     * @param line the line
     * @return the values
     */
    public static Fields parse(String line) {
        Fields fields = new Fields();
        for (String pair : line.trim().split(" +")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("Not a name=value pair: '" + pair + "' in '" + line + "'");
            }
            fields.values.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return fields;
    }

    @Override
    public String toString() {
        return toLine();
    }

}
