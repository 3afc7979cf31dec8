package io.blobrepair.cid;

/** Where a CID's blob lives in the bucket ("sharding"), as every node of the network computes it. */
public final class StorageKey {

    private StorageKey() {
    }

    public static String of(String cid) {
        if (cid.startsWith("Qm") && cid.length() == 46) {
            return cid.substring(cid.length() - 4, cid.length() - 1) + "/" + cid;
        }
        if (cid.startsWith("ba") && cid.length() > 5) {
            return cid.substring(cid.length() - 5) + "/" + cid;
        }
        return cid;
    }
}
