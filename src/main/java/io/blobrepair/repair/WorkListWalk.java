package io.blobrepair.repair;

import io.blobrepair.work.WorkItem;
import io.blobrepair.work.WorkList;
import io.blobrepair.work.WorkListStore;
import io.blobrepair.work.WorkLists;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

/**
 * Walks one work list for its sub-route: a batch at a time after the saved cursor, the cursor
 * saved only once every CID of the batch is repaired, so a restarted process never skips a row.
 */
public class WorkListWalk {

    /** Exchange property with where the current list stands. */
    public static final String POSITION = "workList";

    private static final Logger LOG = LoggerFactory.getLogger(WorkListWalk.class);

    /** Where a sub-route stands in its list; {@code more} drives the route's loop. */
    public static final class Position {
        private final WorkList list;
        private String cursor;
        private String batchLastKey;
        private boolean more;

        Position(WorkList list, String cursor, boolean more) {
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
    private long estimate(WorkList list) {
        try {
            return store.estimateRows(list);
        } catch (SQLException e) {
            return 0;
        }
    }

    /**
     * Opens a list, as the route's {@value #POSITION}, read as its table allows
     * ({@link WorkListStore#resolve}); a list finished before a restart is not walked again.
     */
    public Position start(CycleState cycle, String listName) throws SQLException {
        WorkList list = store.resolve(WorkLists.named(listName));
        boolean alreadyDone = WorkLists.walkedBefore(cycle.getPhase(), listName);
        Position position = new Position(list, cycle.cursor(listName), !alreadyDone);
        if (!alreadyDone) {
            cycle.advance(listName, cycle.cursor(listName));
            long expected = estimate(list);
            cycle.getProgress().enter(listName, expected, clock.instant());
            LOG.info("cycle {}: walking {} (~{} rows){}", cycle.getCycle(), listName, expected,
                    cycle.cursor(listName) == null ? "" : " after " + cycle.cursor(listName));
        }
        return position;
    }

    /** The next batch of CIDs as the body. */
    public List<WorkItem> nextBatch(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                                    @ExchangeProperty(POSITION) Position position) throws SQLException {
        WorkListStore.Batch batch = store.next(position.list, position.cursor);
        cycle.getCounters().add(RepairCounter.INVALID_WORK_ROW, batch.malformedRows());
        cycle.getProgress().advance(batch.rows());
        position.batchLastKey = batch.lastKey();
        position.more = batch.more();
        return batch.items();
    }

    /** The batch is repaired: save the cursor after it (and, at the end, move to the next list). */
    public void batchDone(@ExchangeProperty(RepairExchange.CYCLE) CycleState cycle,
                          @ExchangeProperty(POSITION) Position position) throws SQLException {
        position.cursor = position.batchLastKey;
        cycle.advance(position.list.name(), position.cursor);
        if (!position.more) {
            cycle.advance(WorkLists.after(position.list.name()), null);
        }
        tracker.saveProgress(cycle);
    }
}
