package io.github.distlock.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.github.distlock.chaos.HistoryEvent.Kind;

/**
 * One run's history and the checker's verdict on it, with the measurements the scenarios take from the history.
 *
 * @param history the entries in the order the hub recorded them
 * @param verdict what the checker found
 * @param stopAnswers what each worker answered when the run stopped
 */
public record RunResult(List<HistoryEvent> history, Verdict verdict, List<String> stopAnswers) {

    /**
     * Checks a history.
     * @param history the entries
     * @param stopAnswers the workers' answers to stop
     * @return the result
     */
    public static RunResult of(List<HistoryEvent> history, List<String> stopAnswers) {
        return new RunResult(history, HistoryChecker.check(history), stopAnswers);
    }

    /**
     * Returns the marks with a name.
     * @param name the mark's name
     * @return the marks, in order
     */
    public List<HistoryEvent> marks(String name) {
        return this.history.stream().filter(event -> event.kind() == Kind.MARK && event.detail().equals(name))
                .toList();
    }

    /**
     * Returns the first entry after another that matches.
     * @param after the entry to search from
     * @param matching what to find
     * @return the entry, if any
     */
    public Optional<HistoryEvent> firstAfter(HistoryEvent after, Predicate<HistoryEvent> matching) {
        return this.history.stream().filter(event -> event.seq() > after.seq() && matching.test(event)).findFirst();
    }

    /**
     * Returns the entries of one kind.
     * @param kind the kind
     * @return the entries, in order
     */
    public List<HistoryEvent> ofKind(Kind kind) {
        return this.history.stream().filter(event -> event.kind() == kind).toList();
    }

    /**
     * Returns the keys that were granted in the run.
     * @return the keys, each once
     */
    public List<String> grantedKeys() {
        List<String> keys = new ArrayList<>();
        for (HistoryEvent event : ofKind(Kind.GRANTED)) {
            if (!keys.contains(event.key())) {
                keys.add(event.key());
            }
        }
        return keys;
    }

}
