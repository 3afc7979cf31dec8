package io.blobrepair.repair;

/**
 * Where the service reports what operators may want to act on (a cycle ended, a blob is lost,
 * the delete brake engaged). Publishing never fails and never waits for the receiver: a
 * failing receiver must not change what a cycle does.
 */
public interface RepairEvents {

    /** Events go nowhere ({@code repair.events.uri} unset): nothing is built or sent. */
    RepairEvents NONE = new RepairEvents() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void publish(RepairEvent event) {
            // no receiver configured
        }
    };

    void publish(RepairEvent event);

    /** False when events go nowhere, so callers can skip building them. */
    default boolean enabled() {
        return true;
    }
}
