package io.blobrepair.repair;

import io.blobrepair.work.WorkItem;
import io.blobrepair.work.WorkListName;
import io.blobrepair.work.WorkListStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * Walks one work list for the sub-routes: a batch at a time after the saved cursor, the cursor
 * saved only once the batch is repaired, so a restarted process never skips a row.
 */
public class WorkListWalk {

    /** Exchange property with where the current list stands. */
    public static final String POSITION = "workList";

    private static final Logger LOG = LoggerFactory.getLogger(WorkListWalk.class);

    /** Where a sub-route stands in its list; {@code more} drives the route's loop. */
    public static final class Position {
        private final WorkListName list;
        private String cursor;
        private String batchLastKey;
        private boolean more;

        Position(WorkListName list, String cursor, boolean more) {
            this.list = list;
            this.cursor = cursor;
            this.more = more;
        }

        public boolean isMore() {
            return more;
        }
    }

    private final WorkListStore store;
    private final CycleTracker tracker;
    private final Clock clock;

    public WorkListWalk(WorkListStore store, CycleTracker tracker, Clock clock) {
        this.store = store;
        this.tracker = tracker;
        this.clock = clock;
    }

    /** The progress estimate only; a failure here must not stop the walk. */
    private long estimate(WorkListName list) {
        try {
            return store.estimateRows(list);
        } catch (SQLException e) {
            return 0;
        }
    }

    /** Opens a list; a list finished before a restart is not walked again. */
    public void start(Exchange exchange, String listLabel) {
        CycleState cycle = exchange.getProperty(CidRepair.CYCLE, CycleState.class);
        WorkListName list = WorkListName.ofLabel(listLabel);
        boolean alreadyDone = cycle.getPhase().compareTo(list) > 0;
        exchange.setProperty(POSITION, new Position(list, cycle.cursor(list), !alreadyDone));
        if (!alreadyDone) {
            cycle.advance(list, cycle.cursor(list));
            long expected = estimate(list);
            cycle.getProgress().enter(list.label(), expected, clock.instant());
            LOG.info("cycle {}: walking {} (~{} rows){}", cycle.getCycle(), list.label(), expected,
                    cycle.cursor(list) == null ? "" : " after " + cycle.cursor(list));
        }
    }

    /** The next batch of CIDs as the body. */
    public List<WorkItem> nextBatch(Exchange exchange) throws SQLException {
        CycleState cycle = exchange.getProperty(CidRepair.CYCLE, CycleState.class);
        Position position = exchange.getProperty(POSITION, Position.class);
        WorkListStore.Batch batch = store.next(position.list, position.cursor);
        cycle.getCounters().add(RepairCounter.INVALID_WORK_ROW, batch.malformedRows());
        cycle.getProgress().advance(batch.rows());
        position.batchLastKey = batch.lastKey();
        position.more = batch.more();
        return batch.items();
    }

    /** The batch is repaired: save the cursor after it (and, at the end, move to the next list). */
    public void batchDone(Exchange exchange) throws SQLException {
        CycleState cycle = exchange.getProperty(CidRepair.CYCLE, CycleState.class);
        Position position = exchange.getProperty(POSITION, Position.class);
        position.cursor = position.batchLastKey;
        cycle.advance(position.list, position.cursor);
        if (!position.more) {
            cycle.advance(WorkListName.values()[position.list.ordinal() + 1], null);
        }
        tracker.saveProgress(cycle);
    }
}
