package io.blobrepair.peer;

import io.blobrepair.cid.Cid;
import io.blobrepair.cid.ContentHash;
import io.blobrepair.index.KnownPresentCache;
import io.blobrepair.placement.Hosts;
import io.blobrepair.placement.NetworkView;
import io.blobrepair.placement.PlacementPolicy;
import io.blobrepair.s3.Buckets;
import io.blobrepair.work.PresenceStore;
import jakarta.activation.DataHandler;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The write path, {@code POST /internal/blobs}: a peer pushes a replica as a multipart part
 * (field {@code files}) whose file name is its CID. It must be a v1 CID whose content hashes to
 * it, or the request is refused (400) before anything is stored. The HTTP server keeps one part
 * per form field, so a request carries one blob, as the reference network sends them. A blob goes
 * to the bucket the repair routes it to (the archive bucket for what a store-all node holds only
 * because it stores everything), by the sender's {@code X-Placement-Hosts} and the network's
 * latest view, as the reference's writer picks it.
 */
public class BlobWrites {

    /** One verified part, ready for PutObject, with the Content-Type to store ({@link BlobContentType}). */
    public record IncomingBlob(String cid, String storageKey, String bucket, DataHandler content, long size, String contentType) {
    }

    private final KnownPresentCache knownPresent;
    private final PresenceStore presenceStore;
    private final Buckets buckets;
    private final Supplier<NetworkView> network;

    public BlobWrites(KnownPresentCache knownPresent, PresenceStore presenceStore, Buckets buckets, Supplier<NetworkView> network) {
        this.knownPresent = knownPresent;
        this.presenceStore = presenceStore;
        this.buckets = buckets;
        this.network = network;
    }

    /** Verifies every uploaded part; the body becomes the list to store. */
    public List<IncomingBlob> verify(Exchange exchange) throws IOException {
        AttachmentMessage message = exchange.getMessage(AttachmentMessage.class);
        Map<String, DataHandler> parts = message.hasAttachments() ? message.getAttachments() : Map.of();
        if (parts.isEmpty()) {
            throw new BadRequest("no files: send multipart form data with field 'files', file name = CID");
        }
        List<String> placementHosts = placementHosts(exchange.getMessage().getHeader("X-Placement-Hosts", String.class));
        List<IncomingBlob> verified = new ArrayList<>();
        for (Map.Entry<String, DataHandler> part : parts.entrySet()) {
            // attachments are keyed by form field; the part's file name is the CID
            String name = part.getValue().getName() == null ? "" : part.getValue().getName();
            Cid cid = Cid.parse(name).orElseThrow(() -> new BadRequest("not a CID: " + BadRequest.quote(name)));
            byte[] expected = cid.contentSha256()
                    .orElseThrow(() -> new BadRequest(cid + ": only v1 CIDs can be verified and accepted"));
            MessageDigest digest = ContentHash.newDigest();
            long size;
            byte[] head;
            try (InputStream in = part.getValue().getInputStream();
                 OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
                head = in.readNBytes(BlobContentType.SNIFF_BYTES);
                sink.write(head);
                size = head.length + in.transferTo(sink);
            }
            if (!Arrays.equals(expected, digest.digest())) {
                throw new BadRequest(cid + ": content does not match the CID");
            }
            // detected, as the reference's writer does (its replication sends every part as octet-stream,
            // and the HTTP server here does not keep a part's own type)
            String bucket = buckets.forBlob(PlacementPolicy.from(network.get()).place(cid.value(), placementHosts).heldForStoreAll());
            verified.add(new IncomingBlob(cid.value(), cid.storageKey(), bucket, part.getValue(), size, BlobContentType.detect(head)));
        }
        return verified;
    }

    /** The header's comma-separated hosts, normalised; none when absent. */
    static List<String> placementHosts(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        return Arrays.stream(header.split(",")).filter(h -> !h.isBlank()).map(Hosts::normalise).toList();
    }

    /** A pushed replica is in the bucket: the running cycle must not pull it again, and the presence store has it. */
    public void stored(String bucket, String storageKey, long size) {
        knownPresent.add(storageKey);
        presenceStore.written(bucket, storageKey, size);
    }
}
