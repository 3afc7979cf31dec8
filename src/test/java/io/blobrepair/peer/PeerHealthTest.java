package io.blobrepair.peer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which health answers say the peer stores everything. */
class PeerHealthTest {

    @Test
    void theReferencesDataStoreAllOrOursAtTheTopLevel() {
        assertThat(PeerHealth.saysStoreAll("{\"data\":{\"storeAll\":true,\"replicationFactor\":4},\"signer\":\"0x1\"}")).isTrue();
        assertThat(PeerHealth.saysStoreAll("{\"data\":{\"storeAll\":false}}")).isFalse();
        assertThat(PeerHealth.saysStoreAll("{\"healthy\":true,\"storeAll\":true}")).isTrue();
        assertThat(PeerHealth.saysStoreAll("{\"healthy\":true}")).isFalse();
    }

    @Test
    void anUnreadableAnswerSaysNo() {
        assertThat(PeerHealth.saysStoreAll("")).isFalse();
        assertThat(PeerHealth.saysStoreAll("ok")).isFalse();
        assertThat(PeerHealth.saysStoreAll("{\"data\":{\"storeAll\":\"yes\"}}")).isFalse();
        assertThat(PeerHealth.saysStoreAll("[1,2]")).isFalse();
    }
}
