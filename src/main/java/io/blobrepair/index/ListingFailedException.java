package io.blobrepair.index;

/** A listing that failed on some page: carries what was listed, and the coverage it has. */
public class ListingFailedException extends RuntimeException {

    private final transient PresenceIndex partial;

    public ListingFailedException(PresenceIndex partial, Exception cause) {
        super("listing failed: " + cause.getMessage(), cause);
        this.partial = partial;
    }

    /** The keys listed before the failure, trusted only where {@link PresenceIndex#covers} says so. */
    public PresenceIndex partial() {
        return partial;
    }
}
