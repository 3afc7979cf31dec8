package io.blobrepair.peer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local directory pulled blobs are staged in ({@code repair.pull.staging-dir}) until they are
 * verified and stored: one file per pull, named {@value #PREFIX}…, and room claimed for each
 * pull under {@link StagingReserve} so that concurrent pulls together never eat into the reserve.
 * A pull's claim and file go together: {@link #release} removes both, on every path. Files of
 * ours found at start and untouched for a day are leftovers of a process that stopped mid-pull,
 * and are removed.
 */
public final class StagingArea {

    /** Every staging file's name starts so; nothing else in the directory is ever touched. */
    public static final String PREFIX = "blob-repair-pull-";

    private static final Logger LOG = LoggerFactory.getLogger(StagingArea.class);

    /** The room one pull holds: its blob's size (-1 while unknown) and its file once it has one. */
    final class Claim {
        private volatile long size;
        private Path file;

        private Claim(long size) {
            this.size = size;
        }

        /** The pull's staging file, made on first use; every peer attempt starts it afresh. */
        synchronized Path file() throws IOException {
            if (file == null) {
                file = Files.createTempFile(dir, PREFIX, ".blob");
            }
            return file;
        }

        long size() {
            return size;
        }

        /** A peer says the blob is {@code total} bytes: that must fit too, or the attempt fails. */
        void fit(long total) throws IOException {
            if (total > size && !grow(this, total)) {
                throw new StagingFullException(total);
            }
        }

        private synchronized long written() {
            if (file == null) {
                return 0;
            }
            try {
                return Files.size(file);
            } catch (IOException e) {
                return 0;
            }
        }

        private synchronized void remove() {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("could not remove staging file {}: {}", file, e.getMessage());
                }
                file = null;
            }
        }
    }

    /** The blob does not fit above the reserve (a peer answered with a size larger than reported). */
    static final class StagingFullException extends IOException {
        StagingFullException(long size) {
            super("no staging room for " + size + " bytes above the reserve");
        }
    }

    private final Path dir;
    private final StagingReserve reserve;
    private final Map<String, Claim> claims = new ConcurrentHashMap<>();

    public StagingArea(Path dir, StagingReserve reserve) {
        this.dir = dir;
        this.reserve = reserve;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Claims room for the blob of {@code cid} ({@code size} bytes, -1 when no peer said), or
     * answers false when staging it would cross the reserve: then nothing is claimed.
     */
    public synchronized boolean reserve(String cid, long size) {
        if (!reserve.admits(usable(), unwritten(), size)) {
            return false;
        }
        claims.put(cid, new Claim(size));
        return true;
    }

    /** The claim of {@code cid}'s pull; one of unknown size when none was made (the fetch sizes it). */
    Claim claimFor(String cid) {
        return claims.computeIfAbsent(cid, c -> new Claim(-1));
    }

    private synchronized boolean grow(Claim claim, long size) {
        long written = claim.written();
        long others = unwritten() - Math.max(0, claim.size - written);
        if (!reserve.admits(usable(), others, size - written)) {
            return false;
        }
        claim.size = size;
        return true;
    }

    /** Removes the pull's staging file and its claim (a no-op when it has neither). */
    public void release(String cid) {
        Claim claim = claims.remove(cid);
        if (claim != null) {
            claim.remove();
        }
    }

    /**
     * Staging files untouched for this long are leftovers. A younger one may belong to another
     * running instance sharing the directory (the temp directory, by default): removing it would
     * break that instance's pull mid-transfer, or its multipart upload reading from it.
     */
    static final Duration LEFTOVER_AGE = Duration.ofDays(1);

    /** Removes staging files left by an earlier process (call once, before any pull); how many. */
    public int removeLeftovers() {
        int removed = 0;
        long leftBefore = System.currentTimeMillis() - LEFTOVER_AGE.toMillis();
        try (DirectoryStream<Path> ours = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path leftover : ours) {
                try {
                    if (Files.isRegularFile(leftover) && Files.getLastModifiedTime(leftover).toMillis() < leftBefore
                            && Files.deleteIfExists(leftover)) {
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.warn("could not remove staging file {} left by an earlier run: {}", leftover, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            LOG.warn("staging directory {} does not exist", dir);
        } catch (IOException e) {
            LOG.warn("could not look for staging files left in {}: {}", dir, e.getMessage());
        }
        if (removed > 0) {
            LOG.info("removed {} staging file(s) left in {} by an earlier run", removed, dir);
        }
        return removed;
    }

    /** Bytes the pulls staging now still have to write. */
    private long unwritten() {
        long sum = 0;
        for (Claim c : claims.values()) {
            sum += Math.max(0, c.size - c.written());
        }
        return sum;
    }

    /**
     * Free bytes of the staging directory's file store. One that cannot be measured does not stop
     * repair (as the reference decides): it counts as room enough.
     */
    private long usable() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            LOG.warn("cannot measure free space of staging directory {}: {}", dir, e.getMessage());
            return Long.MAX_VALUE;
        }
    }
}
