package io.blobrepair.repair;

import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;
import io.blobrepair.index.ObjectFacts;
import io.blobrepair.placement.Placement;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Facts of one CID for the rules' tests, built field by field from a plain default. */
final class CidFactsFixture {

    static final long NOW = Duration.ofDays(1000).toMillis();
    static final long OLD = Duration.ofDays(8).toMillis();
    static final long YOUNG = Duration.ofDays(6).toMillis();
    static final Cid V1 = Cid.parse(ContentHash.v1CidOf("a blob".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    static final Cid LEGACY = Cid.parse("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22").orElseThrow();
    static final Cid VARIANT = Cid.parse("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg").orElseThrow();

    Cid cid = V1;
    boolean cleanup;
    boolean mine = true;
    boolean placed;
    boolean storeAll;
    boolean archived;
    int rank = 0;
    int replicationFactor = 4;
    int threshold = 6;
    OverReplicationRule overReplication = OverReplicationRule.SPILL_OVER;
    boolean deletionsAllowed = true;
    boolean headIsTrusted;
    boolean hostsChanged;
    Presence presence = Presence.UNCHECKED;
    Presence.Source source = Presence.Source.NONE;
    Long ageMillis = OLD;
    CidFacts.Content content = CidFacts.Content.UNCHECKED;
    CidFacts.Holders holders = CidFacts.Holders.NOT_ASKED;
    /** A copy in the other bucket, null for none. */
    CidFacts.OtherCopy other;

    /** A copy the listing found in the other bucket, of {@code size} bytes (the routed copy's are 42). */
    static CidFacts.OtherCopy listedElsewhere(long size) {
        return new CidFacts.OtherCopy("other-bucket", new ObjectFacts(size, NOW - OLD), false);
    }

    CidFacts build() {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < Math.max(rank + 1, 10); i++) {
            hosts.add("https://node" + i + ".example");
        }
        Placement placement = new Placement(hosts, rank, mine, placed, false, archived, 0);
        CycleFacts cycle = new CycleFacts(cleanup, storeAll, replicationFactor, threshold, overReplication, deletionsAllowed,
                headIsTrusted, hostsChanged, NOW);
        ObjectFacts object = presence == Presence.PRESENT && source != Presence.Source.WRITTEN
                ? new ObjectFacts(42, ageMillis == null ? 0 : NOW - ageMillis) : null;
        return new CidFacts(cid, cid.storageKey(), "blobs", archived, placement, cycle, presence, source, object, content, holders, other);
    }
}
