package dev.fleet.gateway.pool;

import java.util.Arrays;

/**
 * A consistent-hash ring: {@link #POINTS} points per instance, so that when one of N instances
 * leaves only its keys (about 1/N) move. Immutable; rebuilt only when the members change.
 */
public final class HashRing {

    static final int POINTS = 160;

    private final Instance[] members;
    private final long[] points;
    private final Instance[] owners;

    HashRing(Instance[] members) {
        this.members = members.clone();
        long[][] all = new long[members.length * POINTS][];
        int n = 0;
        for (int m = 0; m < members.length; m++) {
            for (int p = 0; p < POINTS; p++) {
                all[n++] = new long[] {hash(members[m].id() + "#" + p), m};
            }
        }
        Arrays.sort(all, (a, b) -> Long.compare(a[0], b[0]));
        points = new long[all.length];
        owners = new Instance[all.length];
        for (int i = 0; i < all.length; i++) {
            points[i] = all[i][0];
            owners[i] = members[(int) all[i][1]];
        }
    }

    boolean sameMembers(Instance[] others) {
        return Arrays.equals(members, others);
    }

    public int size() {
        return points.length;
    }

    /** Where a key lands: the index of the first point at or after its hash (wrapping). */
    public int start(String key) {
        int found = Arrays.binarySearch(points, hash(key));
        int index = found >= 0 ? found : -found - 1;
        return index == points.length ? 0 : index;
    }

    public Instance owner(int index) {
        return owners[index % owners.length];
    }

    /** 64-bit FNV-1a over the chars, then a finalizer so that similar keys spread over the ring. */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
