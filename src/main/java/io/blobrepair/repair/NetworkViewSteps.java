package io.blobrepair.repair;

import io.blobrepair.peer.NodeFollower;
import org.apache.camel.Exchange;

/**
 * The cycle's first step after it starts: the network as the co-located node sees it now
 * ({@code repair.node-url}), or as configured. Sets {@value #VIEW} (a
 * {@link io.blobrepair.placement.NetworkView}) and {@value #HOSTS_CHANGED} (whether the ranked host
 * set differs from the previous cycle's: the owners moved, so over-replication is not judged on
 * this cycle's ranking). A node that cannot be read leaves the last good view and counts
 * {@code node_view_stale}.
 */
public class NetworkViewSteps {

    public static final String VIEW = "networkView";
    public static final String HOSTS_CHANGED = "networkHostsChanged";

    private final NodeFollower follower;

    public NetworkViewSteps(NodeFollower follower) {
        this.follower = follower;
    }

    public void refresh(Exchange exchange) {
        NodeFollower.Refresh refresh = follower.refresh();
        exchange.setProperty(VIEW, refresh.view());
        exchange.setProperty(HOSTS_CHANGED, refresh.hostsChanged());
        if (!refresh.fresh()) {
            exchange.getProperty(CidRepair.CYCLE, CycleState.class).getCounters().increment(RepairCounter.NODE_VIEW_STALE);
        }
    }
}
