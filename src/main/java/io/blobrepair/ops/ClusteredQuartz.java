package io.blobrepair.ops;

import java.util.HashMap;
import java.util.Map;

/**
 * Quartz clustered on the node's PostgreSQL ({@code repair.cluster.enabled=true}): two or more
 * replicas of the service share one JDBC job store, so each trigger fires on exactly one of
 * them, and a replica that dies mid-cycle leaves its run to the next trigger on another.
 */
public final class ClusteredQuartz {

    private ClusteredQuartz() {
    }

    public static Map<String, Object> properties(RepairSettings.Db db) {
        Map<String, Object> p = new HashMap<>();
        p.put("org.quartz.scheduler.instanceName", "blob-repair");
        p.put("org.quartz.scheduler.instanceId", "AUTO");
        p.put("org.quartz.threadPool.threadCount", "2");
        p.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.put("org.quartz.jobStore.dataSource", "repair");
        p.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.put("org.quartz.jobStore.isClustered", "true");
        p.put("org.quartz.jobStore.clusterCheckinInterval", "5000");
        p.put("org.quartz.dataSource.repair.driver", "org.postgresql.Driver");
        p.put("org.quartz.dataSource.repair.URL", db.url());
        p.put("org.quartz.dataSource.repair.user", db.user());
        p.put("org.quartz.dataSource.repair.password", db.password());
        p.put("org.quartz.dataSource.repair.maxConnections", "3");
        return p;
    }
}
