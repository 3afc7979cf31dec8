package io.blobrepair.peer;

/**
 * The staging disk's rule: a pulled blob is staged only when, after it and every pull already
 * staging has written what it still has to write, at least {@code reserve} bytes stay free. A blob
 * of unknown size claims nothing until its size is known. Pure.
 */
public record StagingReserve(long reserve) {

    public StagingReserve {
        if (reserve < 0) {
            throw new IllegalArgumentException("reserve must not be negative: " + reserve);
        }
    }

    /**
     * @param usable    bytes the staging directory's file store has free for this process
     * @param unwritten bytes the pulls staging now are still to write
     * @param size      bytes of the blob to stage (-1: unknown, claims nothing yet)
     */
    public boolean admits(long usable, long unwritten, long size) {
        try {
            return Math.subtractExact(Math.subtractExact(usable, unwritten), Math.max(0, size)) >= reserve;
        } catch (ArithmeticException absurdSize) {
            return false;
        }
    }
}
