package dev.fleet.telemetry.finding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of one evaluation before it is recorded: the findings seen (opened or updated), the
 * (name, subject) pairs that must stay as they are (pending a hold, or over the cap), and the names
 * whose input could not be read (none of their open findings resolves).
 */
final class Evaluation {

    record Key(String name, String subject) {
    }

    private final List<Finding> found = new ArrayList<>();
    private final List<Key> kept = new ArrayList<>();
    private final Set<String> unread = new HashSet<>();
    private int capped;

    void found(Finding finding) {
        found.add(finding);
    }

    void keep(String name, String subject) {
        kept.add(new Key(name, subject));
    }

    void unread(String name) {
        unread.add(name);
    }

    List<Finding> found() {
        return found;
    }

    List<Key> kept() {
        return kept;
    }

    Set<String> unread() {
        return unread;
    }

    /** How many findings the last {@link #cap} held back. */
    int capped() {
        return capped;
    }

    /**
     * Keeps at most {@code max} findings per kind, the worst first (severity, then name and subject for
     * a stable choice); the others are kept as they are: an open one stays open, a new one waits.
     */
    Evaluation cap(int max) {
        List<Finding> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(Finding::rank).reversed().thenComparing(Finding::name)
                .thenComparing(Finding::subject));
        found.clear();
        capped = 0;
        Map<String, Integer> perKind = new HashMap<>();
        for (Finding f : sorted) {
            if (perKind.merge(f.kind(), 1, Integer::sum) <= max) {
                found.add(f);
            } else {
                keep(f.name(), f.subject());
                capped++;
            }
        }
        return this;
    }
}
