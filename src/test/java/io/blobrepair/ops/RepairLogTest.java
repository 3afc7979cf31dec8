package io.blobrepair.ops;

import io.blobrepair.peer.BadRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code limit} of the log APIs: 1 to 1000, default 1000, larger values capped as the reference does. */
class RepairLogTest {

    @Test
    void limitIsCappedAtAThousandAndBadValuesAreRejected() {
        assertThat(RepairLog.parseLimit(null)).isEqualTo(1000);
        assertThat(RepairLog.parseLimit("")).isEqualTo(1000);
        assertThat(RepairLog.parseLimit("1")).isEqualTo(1);
        assertThat(RepairLog.parseLimit("1000")).isEqualTo(1000);
        assertThat(RepairLog.parseLimit("5000")).isEqualTo(1000);
        for (String bad : new String[]{"0", "-5", "1.5", "abc"}) {
            assertThatThrownBy(() -> RepairLog.parseLimit(bad)).as(bad).isInstanceOf(BadRequest.class)
                    .hasMessageContaining("limit must be a whole number");
        }
    }
}
