package io.blobrepair.repair;

/**
 * Stops a cleanup cycle from deleting more than a fraction of what the node held when the cycle
 * started: a wrong peer list or ranking change then shows up as an engaged brake, not as a
 * bucket emptied in one cycle.
 */
public final class DeleteBrake {

    private DeleteBrake() {
    }

    /** Whether one more deletion stays within {@code maxFraction} of {@code heldAtStart}. */
    public static boolean allows(long deletedSoFar, long heldAtStart, double maxFraction) {
        return deletedSoFar < maxFraction * heldAtStart;
    }
}
