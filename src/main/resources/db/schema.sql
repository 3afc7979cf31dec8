-- Run at startup (repair.db.init-schema=true): every table is created only when missing; the node's work
-- lists are never altered, the service's own tables (and repair_data_loss, which a reference node may
-- have created) are migrated in place where their shape changed.

-- Work lists, as the storage node's own server keeps them.
CREATE TABLE IF NOT EXISTS uploads (
    id                text PRIMARY KEY,
    template          text,
    orig_file_cid     text,
    placement_hosts   jsonb,
    transcode_results jsonb,
    created_at        timestamptz
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

-- The hosts a run ranked against, so a cycle after a restart with another host list knows the
-- owners moved (no over-replication deletion in it), as one within a process does.
ALTER TABLE repair_runs ADD COLUMN IF NOT EXISTS ranked_hosts text[];

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

-- Evidence of data loss, in the reference's table (a reference node sharing this database reads
-- the same rows): cycles in which no host served a CID, and when it was declared lost, is due for
-- a recheck, or was recovered. declared_at is written once; recheck_after schedules the retry.
CREATE TABLE IF NOT EXISTS repair_data_loss (
    cid                     text PRIMARY KEY,
    first_failed_at         timestamptz NOT NULL DEFAULT now(),
    last_failed_at          timestamptz NOT NULL DEFAULT now(),
    failed_cycles           integer     NOT NULL DEFAULT 0,
    last_attempt_exhaustive boolean     NOT NULL DEFAULT false,
    declared_at             timestamptz,
    recheck_after           timestamptz,
    recovered_at            timestamptz,
    last_failed_cycle       bigint
);
-- Tables created by a reference version before the exhaustive sweep lack its column (the reference
-- added it to its CREATE only, which never runs again on such a node); last_failed_cycle is ours.
ALTER TABLE repair_data_loss ADD COLUMN IF NOT EXISTS last_attempt_exhaustive boolean NOT NULL DEFAULT false;
ALTER TABLE repair_data_loss ADD COLUMN IF NOT EXISTS last_failed_cycle bigint;
CREATE INDEX IF NOT EXISTS idx_repair_data_loss_declared ON repair_data_loss (declared_at) WHERE recovered_at IS NULL;

-- Earlier versions recorded a blob as lost after one bad cycle (lost_blobs): its rows carry over as
-- evidence (one failed cycle per try; they still have to meet the rules to be declared), and the
-- table is kept, renamed, for the operator to drop.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.tables
               WHERE table_name = 'lost_blobs' AND table_schema = current_schema()) THEN
        INSERT INTO repair_data_loss (cid, failed_cycles, first_failed_at, last_failed_at)
            SELECT cid, tries, first_seen, last_tried FROM lost_blobs
            ON CONFLICT (cid) DO NOTHING;
        IF EXISTS (SELECT 1 FROM information_schema.tables
                   WHERE table_name = 'lost_blobs_before_data_loss' AND table_schema = current_schema()) THEN
            INSERT INTO lost_blobs_before_data_loss SELECT * FROM lost_blobs ON CONFLICT (cid) DO NOTHING;
            DROP TABLE lost_blobs;
        ELSE
            ALTER TABLE lost_blobs RENAME TO lost_blobs_before_data_loss;
        END IF;
    END IF;
END $$;

-- The presence store (repair.presence.source=store): the keys of the node's buckets as the last
-- complete listing saw them, kept current by this service's own writes and deletes, so a normal
-- cycle can answer presence without listing. key_hash (64 bits of the key's MurmurHash3) is a
-- uniform position in the store for the liveness sample. last_modified is epoch milliseconds.
CREATE TABLE IF NOT EXISTS repair_presence (
    bucket        text   NOT NULL,
    key           text   NOT NULL,
    key_hash      bigint NOT NULL,
    size          bigint NOT NULL,
    last_modified bigint NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX IF NOT EXISTS idx_repair_presence_key_hash ON repair_presence (key_hash);
-- Per bucket: the last listing into the store, whether it was complete, how many keys it found.
CREATE TABLE IF NOT EXISTS repair_presence_listings (
    bucket    text        PRIMARY KEY,
    complete  boolean     NOT NULL,
    listed_at timestamptz NOT NULL,
    keys      bigint      NOT NULL
);
-- A listing in progress writes its pages to the staging table under its capture; a complete one
-- replaces the store's rows with them in one transaction. Staging is unlogged: a crash loses only
-- a listing that would have to be made again anyway (captures older than a day are swept).
CREATE TABLE IF NOT EXISTS repair_presence_captures (
    id         bigserial   PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNLOGGED TABLE IF NOT EXISTS repair_presence_staging (
    capture       bigint NOT NULL,
    bucket        text   NOT NULL,
    key           text   NOT NULL,
    key_hash      bigint NOT NULL,
    size          bigint NOT NULL,
    last_modified bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_repair_presence_staging_capture ON repair_presence_staging (capture);
