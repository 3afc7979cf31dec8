package io.blobrepair.peer;

/** A peer API request the service refuses: answered 400 with this message. */
public class BadRequest extends IllegalArgumentException {

    public BadRequest(String message) {
        super(message);
    }

    /** Quotes a client-supplied value without echoing a huge one back. */
    public static String quote(String value) {
        String v = value == null ? "" : value;
        return "'" + (v.length() > 80 ? v.substring(0, 80) + "…" : v) + "'";
    }
}
