-- Created only when missing (repair.db.init-schema=true); existing tables are never altered.

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
    cursor_uploads  text,
    cursor_previews text,
    cursor_qm_cids  text,
    counters        jsonb       NOT NULL DEFAULT '{}',
    content_size    bigint      NOT NULL DEFAULT 0,
    duration_ms     bigint,
    aborted_reason  text
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
