package io.blobrepair.peer;

import io.blobrepair.cid.Cid;
import io.blobrepair.testing.Blob;
import io.blobrepair.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** Why a pull failed, per host, as the pull's log line tells it. */
class PeerClientTest {

    /**
     * The network simulator's logs (seed 14, round 1, node 2 down) named the down peer's failure
     * {@code null}: the JDK client's ConnectException has no message.
     */
    @Test
    void aPeerThatRefusesTheConnectionIsNamedWithTheFailuresKind(@TempDir Path staging) throws Exception {
        String down = "http://127.0.0.1:" + TestNode.freePort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try {
            PeerClient peers = new PeerClient("http://127.0.0.1:1", http, Duration.ofSeconds(2),
                    new BlobFetch(http, PeerAuth.none(), Duration.ofSeconds(2), 1 << 20,
                            new StagingArea(staging, new StagingReserve(0)), new StallGuard(watchdog)),
                    1, PeerAuth.none());

            PeerClient.Result result = peers.pull(Cid.parse(Blob.of("held by a peer that is down").cid()).orElseThrow(), List.of(down));

            assertThat(result.succeeded()).isFalse();
            assertThat(result.failures()).containsExactly(down + ": ConnectException");
        } finally {
            watchdog.shutdownNow();
        }
    }
}
