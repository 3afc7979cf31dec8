package io.blobrepair.peer;

import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Content-Type} a blob is stored with, so the node serves it as the reference network
 * does (its audio serving depends on an {@code audio/…} type). The type a peer served wins when it
 * says something; when a peer sends none or {@code application/octet-stream} — the reference's own
 * replication always does — the type is detected from the first 512 bytes, as the reference's
 * writer does (gocloud's blob writer sniffs them with Go's {@code http.DetectContentType}). Detection
 * is Apache Tika's magic; where Tika names a format differently from Go, Go's name is stored.
 */
public final class BlobContentType {

    public static final String OCTET_STREAM = "application/octet-stream";
    /** Go's http.DetectContentType looks at no more than this. */
    static final int SNIFF_BYTES = 512;
    /** Longer is not a media type a node sent on purpose. */
    private static final int MAX_SERVED_LENGTH = 255;

    private static final MimeTypes TIKA = MimeTypes.getDefaultMimeTypes();
    /** Tika's name → the name Go's sniffer gives the same format. */
    private static final Map<String, String> GO_NAMES = Map.of(
            "audio/vnd.wave", "audio/wave",
            "audio/x-wav", "audio/wave",
            "audio/x-aiff", "audio/aiff",
            "image/vnd.microsoft.icon", "image/x-icon",
            "video/x-msvideo", "video/avi",
            "application/gzip", "application/x-gzip",
            "text/plain", "text/plain; charset=utf-8",
            "text/html", "text/html; charset=utf-8",
            "application/xml", "text/xml; charset=utf-8");

    private BlobContentType() {
    }

    /** The type to store for content whose first bytes are {@code head}, served as {@code served} (may be null). */
    public static String toStore(String served, byte[] head) {
        return meaningful(served) ? served.strip() : detect(head);
    }

    /** As {@link #toStore(String, byte[])}, for content in a file. */
    public static String toStore(String served, Path file) throws IOException {
        if (meaningful(served)) {
            return served.strip();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return detect(in.readNBytes(SNIFF_BYTES));
        }
    }

    /** What the first bytes of a blob say it is; {@code application/octet-stream} when they say nothing known. */
    public static String detect(byte[] head) {
        byte[] sniffed = head.length <= SNIFF_BYTES ? head : java.util.Arrays.copyOf(head, SNIFF_BYTES);
        try {
            MediaType type = TIKA.detect(new ByteArrayInputStream(sniffed), new Metadata());
            String name = type.getBaseType().toString();
            return GO_NAMES.getOrDefault(name, name);
        } catch (IOException e) {
            // a byte array does not fail to read
            return OCTET_STREAM;
        }
    }

    /** A served type worth keeping: a well-formed media type that is not the "unknown bytes" one. */
    private static boolean meaningful(String served) {
        if (served == null || served.isBlank() || served.length() > MAX_SERVED_LENGTH) {
            return false;
        }
        MediaType type = MediaType.parse(served.strip());
        return type != null && !OCTET_STREAM.equals(type.getBaseType().toString().toLowerCase(Locale.ROOT));
    }
}
