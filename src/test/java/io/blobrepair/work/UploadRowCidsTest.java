package io.blobrepair.work;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UploadRowCidsTest {

    @Test
    void audioUploadContributesItsOriginalAndEveryTranscode() {
        UploadRowCids.Result r = UploadRowCids.of("audio", "orig", "[\"http://a\", \"http://b/\"]",
                "{\"320\": \"t320\", \"mp3\": \"tmp3\"}");
        assertThat(r.malformedJson()).isFalse();
        assertThat(r.items()).containsExactly(
                new WorkItem("orig", List.of("http://a", "http://b")),
                new WorkItem("t320", List.of("http://a", "http://b")),
                new WorkItem("tmp3", List.of("http://a", "http://b")));
    }

    @Test
    void onlyAudioUploadsContributeTranscodes() {
        UploadRowCids.Result r = UploadRowCids.of("img_square", "orig", null, "{\"150x150.jpg\": \"t\"}");
        assertThat(r.items()).containsExactly(new WorkItem("orig", List.of()));
    }

    @Test
    void unreadableJsonIsFlaggedAndTheOriginalStillCounts() {
        UploadRowCids.Result r = UploadRowCids.of("audio", "orig", "not json", "{broken");
        assertThat(r.malformedJson()).isTrue();
        assertThat(r.items()).containsExactly(new WorkItem("orig", List.of()));
        assertThat(UploadRowCids.of("audio", "orig", "{\"a\":1}", null).malformedJson()).isTrue();
        assertThat(UploadRowCids.of("audio", "orig", "null", "null").malformedJson()).isFalse();
    }
}
