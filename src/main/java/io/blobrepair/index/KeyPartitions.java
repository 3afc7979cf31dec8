package io.blobrepair.index;

import java.util.ArrayList;
import java.util.List;

/**
 * How the bucket splits for a parallel listing. Storage keys are sharded by the end of their
 * CID, so they start with a base32 character (v1 CIDs), a base58 character (strict legacy CIDs)
 * or {@code Q} (legacy keys with a path): one partition per possible first character.
 */
public final class KeyPartitions {

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private KeyPartitions() {
    }

    /** One prefix per first character a storage key can have; {@code [""]} for a sequential listing. */
    public static List<String> forParallelism(int parallelism) {
        if (parallelism <= 1) {
            return List.of("");
        }
        List<String> prefixes = new ArrayList<>();
        (BASE32 + BASE58 + "Q").chars().distinct().sorted().forEach(c -> prefixes.add(String.valueOf((char) c)));
        return prefixes;
    }
}
