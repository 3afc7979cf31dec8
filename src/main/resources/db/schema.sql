-- Run at startup (repair.db.init-schema=true): every table is created only when missing; the node's work
-- lists are never altered, the service's own tables are migrated in place where their shape changed.

-- Work lists, as the storage node's own server keeps them.
CREATE TABLE IF NOT EXISTS uploads (
    id                text PRIMARY KEY,
    template          text,
    orig_file_cid     text,
    placement_hosts   jsonb,
    transcode_results jsonb
);
CREATE TABLE IF NOT EXISTS audio_previews (
    cid text PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS qm_cids (
    key text PRIMARY KEY
);

-- The service's own tracker: one row per repair run.
CREATE TABLE IF NOT EXISTS repair_runs (
    id              bigserial PRIMARY KEY,
    cycle           bigint      NOT NULL,
    cleanup         boolean     NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    phase           text        NOT NULL,
    cursors         jsonb       NOT NULL DEFAULT '{}',
    counters        jsonb       NOT NULL DEFAULT '{}',
    content_size    bigint      NOT NULL DEFAULT 0,
    duration_ms     bigint,
    aborted_reason  text
);

-- Cursors by work-list name (earlier versions kept one column per list: carried over once).
ALTER TABLE repair_runs ADD COLUMN IF NOT EXISTS cursors jsonb NOT NULL DEFAULT '{}';
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'repair_runs' AND column_name = 'cursor_uploads' AND table_schema = current_schema()) THEN
        UPDATE repair_runs SET cursors = jsonb_strip_nulls(jsonb_build_object(
                'uploads', cursor_uploads, 'previews', cursor_previews, 'qm_cids', cursor_qm_cids))
            WHERE cursors = '{}' AND finished_at IS NULL;
        ALTER TABLE repair_runs DROP COLUMN cursor_uploads, DROP COLUMN cursor_previews, DROP COLUMN cursor_qm_cids;
    END IF;
END $$;

-- CIDs whose repair failed with an unexpected error in consecutive cycles; after
-- repair.cid-failure.max-cycles of them a CID is skipped until skipped_until.
CREATE TABLE IF NOT EXISTS repair_cid_failures (
    cid               text PRIMARY KEY,
    failed_cycles     integer     NOT NULL,
    last_failed_cycle bigint      NOT NULL,
    last_step         text        NOT NULL,
    last_error        text        NOT NULL,
    last_failed_at    timestamptz NOT NULL,
    skipped_until     timestamptz
);

-- Blobs this node should hold that no reachable peer holds (presence filters all said absent
-- and every direct attempt failed).
CREATE TABLE IF NOT EXISTS lost_blobs (
    cid         text PRIMARY KEY,
    storage_key text        NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_tried  timestamptz NOT NULL,
    hosts_tried text        NOT NULL,
    tries       integer     NOT NULL
);
