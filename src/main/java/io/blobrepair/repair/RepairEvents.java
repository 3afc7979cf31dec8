package io.blobrepair.repair;

/** Where the service's events go (ops may route them anywhere); publishing never affects repair. */
public interface RepairEvents {

    void publish(RepairEvent event);

    RepairEvents NONE = event -> { };
}
