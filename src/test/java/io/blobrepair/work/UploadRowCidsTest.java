package io.blobrepair.work;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UploadRowCidsTest {

    @Test
    void audioUploadContributesItsOriginalAndEveryTranscode() {
        UploadRowCids.Result r = UploadRowCids.of("audio", "orig", "[\"http://a\", \"http://b/\"]",
                "{\"320\": \"t320\", \"mp3\": \"tmp3\"}", null);
        assertThat(r.malformedJson()).isFalse();
        assertThat(r.items()).containsExactly(
                new WorkItem("orig", List.of("http://a", "http://b")),
                new WorkItem("t320", List.of("http://a", "http://b")),
                new WorkItem("tmp3", List.of("http://a", "http://b")));
    }

    @Test
    void onlyAudioUploadsContributeTranscodes() {
        UploadRowCids.Result r = UploadRowCids.of("img_square", "orig", null, "{\"150x150.jpg\": \"t\"}", null);
        assertThat(r.items()).containsExactly(new WorkItem("orig", List.of()));
    }

    @Test
    void unreadableJsonIsFlaggedAndTheOriginalStillCounts() {
        UploadRowCids.Result r = UploadRowCids.of("audio", "orig", "not json", "{broken", null);
        assertThat(r.malformedJson()).isTrue();
        assertThat(r.items()).containsExactly(new WorkItem("orig", List.of()));
        assertThat(UploadRowCids.of("audio", "orig", "{\"a\":1}", null, null).malformedJson()).isTrue();
        assertThat(UploadRowCids.of("audio", "orig", "null", "null", null).malformedJson()).isFalse();
    }

    @Test
    void everyCidOfTheRowCarriesTheUploadsCreationTime() {
        Instant created = Instant.parse("2025-03-01T12:00:00Z");
        UploadRowCids.Result r = UploadRowCids.of("audio", "orig", null, "{\"320\": \"t320\"}", created);
        assertThat(r.items()).extracting(WorkItem::createdAt).containsExactly(created, created);
    }
}
