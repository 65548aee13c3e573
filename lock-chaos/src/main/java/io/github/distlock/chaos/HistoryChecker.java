package io.github.distlock.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.github.distlock.chaos.HistoryEvent.Kind;

/**
 * Judges a recorded history offline, without trusting the resource's own decisions: it replays the accesses in the
 * order the resource saw them and finds
 * <ul>
 * <li><b>overlaps</b>: two grants of one key whose critical sections, from their first to their last access of the
 * resource, interleave; an overlap is <b>unfenced</b> when both grants had a write accepted inside the interleaving
 * part, that is when fencing did not keep one of them out (S1, and with fencing the damage S2 and S3 guard
 * against);</li>
 * <li><b>stale accepted</b>: an accepted access whose token is lower than one accepted before on the key, or equal
 * to it from another grant (S2);</li>
 * <li><b>lost updates</b>: an accepted write whose value read is not the value the resource held just before it,
 * so a write in between was overwritten (S3);</li>
 * <li><b>token order</b>: a grant made after another grant's release, or whose accesses all came after another
 * grant's last access, whose token is not higher; or two grants that accessed the resource with one token (S4);</li>
 * <li><b>hand-offs</b>: on the hot keys, the time from a release to the next grant.</li>
 * </ul>
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class HistoryChecker {

    /** How many entries of the key's history are printed on each side of a violation. */
    private static final int CONTEXT = 8;

    private HistoryChecker() {
    }

    /**
     * Checks a history.
     * @param history the entries, in the order the hub recorded them
     * @return what the checker found
     */
    public static Verdict check(List<HistoryEvent> history) {
        Map<String, List<HistoryEvent>> byKey = new LinkedHashMap<>();
        for (HistoryEvent event : history) {
            if (!event.key().isEmpty()) {
                byKey.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event);
            }
        }
        Tally tally = new Tally();
        for (List<HistoryEvent> events : byKey.values()) {
            checkKey(events, tally);
        }
        return new Verdict(tally.grants, tally.accepted, tally.rejected, tally.overlaps, tally.unfencedOverlaps,
                tally.staleAccepted, tally.lostUpdates, tally.tokenOrder, List.copyOf(tally.handOffs),
                List.copyOf(tally.violations));
    }

    private static void checkKey(List<HistoryEvent> events, Tally tally) {
        Map<String, Section> sections = new LinkedHashMap<>();
        long value = 0;
        @Nullable Long highest = null;
        String highestGrant = "";
        @Nullable HistoryEvent highestReleased = null;
        for (HistoryEvent event : events) {
            if (event.kind() == Kind.GRANTED) {
                tally.grants++;
                Long token = event.token();
                if (token != null) {
                    // A grant after a release must carry a higher token than every grant released before it.
                    if (highestReleased != null && token <= highestReleased.token()) {
                        tally.tokenOrder++;
                        tally.violation("S4 token " + token + " granted to " + event.grant() + " after "
                                + highestReleased.grant() + " released token " + highestReleased.token(), event,
                                events);
                    }
                }
            }
            else if (event.kind() == Kind.RELEASED) {
                if (event.token() != null && (highestReleased == null || event.token() > highestReleased.token())) {
                    highestReleased = event;
                }
            }
            if (!event.isAccess()) {
                continue;
            }
            Section section = sections.computeIfAbsent(event.grant(), grant -> new Section(grant, event.token()));
            section.add(event);
            if (!event.isAccepted()) {
                tally.rejected++;
                continue;
            }
            tally.accepted++;
            Long token = event.token();
            if (token != null) {
                if (highest != null && (token < highest || (token.equals(highest)
                        && !event.grant().equals(highestGrant)))) {
                    tally.staleAccepted++;
                    tally.violation("S2 stale token accepted", event, events);
                }
                if (highest == null || token > highest) {
                    highest = token;
                    highestGrant = event.grant();
                }
            }
            if (event.kind() == Kind.WRITE) {
                if (event.readValue() != value) {
                    tally.lostUpdates++;
                    tally.violation("S3 lost update: read " + event.readValue() + " but the value was " + value,
                            event, events);
                }
                value = event.readValue() + 1;
            }
        }
        List<Section> ordered = new ArrayList<>(sections.values());
        ordered.sort(Comparator.comparingLong(Section::first));
        for (int i = 0; i < ordered.size(); i++) {
            Section a = ordered.get(i);
            for (int j = i + 1; j < ordered.size() && ordered.get(j).first() < a.last(); j++) {
                Section b = ordered.get(j);
                tally.overlaps++;
                // Unfenced: the older section still wrote after the newer one began, and the newer one wrote too.
                if (a.wroteAtOrAfter(b.first()) && b.wroteAtOrAfter(b.first())) {
                    tally.unfencedOverlaps++;
                    tally.violation("S1 unfenced overlap of " + a.grant + " and " + b.grant, b.firstEvent,
                            events);
                }
                else {
                    tally.violation("overlap of " + a.grant + " and " + b.grant + ", fenced off", b.firstEvent,
                            events);
                }
            }
        }
        checkTokenOrder(ordered, events, tally);
        if (!events.isEmpty() && events.get(0).key().contains(":hot")) {
            measureHandOffs(events, tally);
        }
    }

    // From the start of a release to the next grant, when that grant's acquire was already waiting, on the workers'
    // monotonic clock (one clock for every process of the machine). The grant can be reported before the release
    // is: the backend hands the key over inside the release call.
    private static void measureHandOffs(List<HistoryEvent> events, Tally tally) {
        List<HistoryEvent> grants = new ArrayList<>();
        Map<String, HistoryEvent> releases = new HashMap<>();
        for (HistoryEvent event : events) {
            if (event.kind() == Kind.GRANTED) {
                grants.add(event);
            }
            else if (event.kind() == Kind.RELEASED) {
                releases.put(event.grant(), event);
            }
        }
        for (int i = 1; i < grants.size(); i++) {
            HistoryEvent released = releases.get(grants.get(i - 1).grant());
            HistoryEvent next = grants.get(i);
            if (released != null && waitStarted(next) < released.workerNanos()
                    && next.workerNanos() >= released.workerNanos()) {
                tally.handOffs.add(next.workerNanos() - released.workerNanos());
            }
        }
    }

    private static long waitStarted(HistoryEvent granted) {
        String detail = granted.detail();
        int at = detail.indexOf("waited-us=");
        if (at < 0) {
            return granted.workerNanos();
        }
        int end = detail.indexOf(' ', at);
        String micros = detail.substring(at + "waited-us=".length(), (end < 0) ? detail.length() : end);
        return granted.workerNanos() - Long.parseLong(micros) * 1000;
    }

    // A grant whose accepted accesses all follow another grant's last accepted access must have a higher token.
    private static void checkTokenOrder(List<Section> sections, List<HistoryEvent> events, Tally tally) {
        List<Section> fenced = new ArrayList<>();
        for (Section section : sections) {
            if (section.token != null && section.firstAccepted != null) {
                fenced.add(section);
            }
        }
        List<Section> byEnd = new ArrayList<>(fenced);
        byEnd.sort(Comparator.comparingLong(section -> section.lastAccepted));
        fenced.sort(Comparator.comparingLong(section -> section.firstAccepted.seq()));
        Map<Long, String> grantOfToken = new HashMap<>();
        long highestEnded = Long.MIN_VALUE;
        String highestEndedGrant = "";
        int ended = 0;
        for (Section section : fenced) {
            while (ended < byEnd.size() && byEnd.get(ended).lastAccepted < section.firstAccepted.seq()) {
                Section before = byEnd.get(ended++);
                if (before.token > highestEnded) {
                    highestEnded = before.token;
                    highestEndedGrant = before.grant;
                }
            }
            String sameToken = grantOfToken.putIfAbsent(section.token, section.grant);
            if (sameToken != null) {
                tally.tokenOrder++;
                tally.violation("S4 token " + section.token + " of " + section.grant + " was also " + sameToken
                        + "'s", section.firstAccepted, events);
            }
            else if (section.token <= highestEnded) {
                tally.tokenOrder++;
                tally.violation("S4 token " + section.token + " of " + section.grant + " is not above "
                        + highestEnded + " of " + highestEndedGrant + ", which ended before it began",
                        section.firstAccepted, events);
            }
        }
    }

    /** One grant's accesses of one key. */
    private static final class Section {

        final String grant;

        final @Nullable Long token;

        @Nullable HistoryEvent firstEvent;

        long last;

        @Nullable HistoryEvent firstAccepted;

        long lastAccepted;

        final List<Long> acceptedWrites = new ArrayList<>();

        Section(String grant, @Nullable Long token) {
            this.grant = grant;
            this.token = token;
        }

        void add(HistoryEvent event) {
            if (this.firstEvent == null) {
                this.firstEvent = event;
            }
            this.last = event.seq();
            if (event.isAccepted()) {
                if (this.firstAccepted == null) {
                    this.firstAccepted = event;
                }
                this.lastAccepted = event.seq();
                if (event.kind() == Kind.WRITE) {
                    this.acceptedWrites.add(event.seq());
                }
            }
        }

        long first() {
            return Objects.requireNonNull(this.firstEvent).seq();
        }

        long last() {
            return this.last;
        }

        boolean wroteAtOrAfter(long seq) {
            return !this.acceptedWrites.isEmpty() && this.acceptedWrites.get(this.acceptedWrites.size() - 1) >= seq;
        }

    }

    /** What one check counts. */
    private static final class Tally {

        int grants;

        int accepted;

        int rejected;

        int overlaps;

        int unfencedOverlaps;

        int staleAccepted;

        int lostUpdates;

        int tokenOrder;

        final List<Long> handOffs = new ArrayList<>();

        final List<String> violations = new ArrayList<>();

        void violation(String what, @Nullable HistoryEvent at, List<HistoryEvent> keyHistory) {
            if (this.violations.size() >= 6 || at == null) {
                return;
            }
            int index = keyHistory.indexOf(at);
            StringBuilder text = new StringBuilder(what).append(" at #").append(at.seq()).append(":\n");
            for (int i = Math.max(0, index - CONTEXT); i < Math.min(keyHistory.size(), index + CONTEXT + 1); i++) {
                text.append(i == index ? "  > " : "    ").append(keyHistory.get(i)).append('\n');
            }
            this.violations.add(text.toString());
        }

    }

}
