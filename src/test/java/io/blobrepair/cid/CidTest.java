package io.blobrepair.cid;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;

class CidTest {

    private static final String EMPTY_BLOB_CID = "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk";

    @Test
    void emptyBlobHasTheReferenceCid() {
        assertThat(ContentHash.v1CidOf(new byte[0])).isEqualTo(EMPTY_BLOB_CID);
    }

    @Test
    void v1CidCarriesTheContentSha256() throws Exception {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Cid cid = Cid.parse(ContentHash.v1CidOf(content)).orElseThrow();
        assertThat(cid.kind()).isEqualTo(Cid.Kind.V1);
        assertThat(cid.contentSha256()).hasValue(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @ParameterizedTest
    @CsvSource({
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22, 2y2/QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22",
            "baeaaaiqsecffzabbj7utfkkmywbhlls46twtaq3fbvpbozvugl4bqszfru7u2, ru7u2/baeaaaiqsecffzabbj7utfkkmywbhlls46twtaq3fbvpbozvugl4bqszfru7u2",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg, QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg",
    })
    void storageKeysFollowTheReferenceSharding(String cid, String key) {
        assertThat(StorageKey.of(cid)).isEqualTo(key);
        assertThat(Cid.parse(cid).orElseThrow().storageKey()).isEqualTo(key);
    }

    @Test
    void legacyCidsAreNeverHashValidated() {
        assertThat(Cid.parse("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22").orElseThrow().contentSha256()).isEmpty();
        assertThat(Cid.parse("QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150.jpg").orElseThrow().kind())
                .isEqualTo(Cid.Kind.LEGACY_PATH);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "   ", "\t", "hello world", "not-a-cid",
            " baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fk",
            "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4f", // one char short
            "baeaaaiqsedr3brcctd6byfe27p2mrglpxescplsb4rsjxe2muskzsg3ykk4fK", // upper case
            "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", // dag-pb CID: not this network's
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y2", // 45 chars
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y2l", // 'l' is not base58
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/../secret",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22//150x150.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/150x150/",
            // each character just outside a-z, A-Z, 0-9
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a`b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a{b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a@b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a[b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a:b.jpg",
            "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/a\\b.jpg",
            "../../etc/passwd",
    })
    void malformedValuesAreRejected(String raw) {
        assertThat(Cid.parse(raw)).isEmpty();
    }

    /** A variant path may use every letter and digit, '.', '_', '-' and '/' inside it. */
    @ParameterizedTest
    @ValueSource(strings = {"azAZ09.jpg", "a_b-c.d", "w/150x150.jpg", "z", "Z", "0", "9"})
    void legacyPathsOfPlainFileNamesAreAccepted(String path) {
        String raw = "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/" + path;

        Cid cid = Cid.parse(raw).orElseThrow();

        assertThat(cid.kind()).isEqualTo(Cid.Kind.LEGACY_PATH);
        assertThat(cid.value()).isEqualTo(raw);
        assertThat(cid).hasToString(raw);
    }

    /** {@link Cid#MAX_LENGTH} characters are accepted, one more is not. */
    @Test
    void theLongestAcceptedValueIsMaxLength() {
        String base = "QmP8Wuu1kN9iHBoBptB4UrTN3orna3Z6ZW2xevNkoE2y22/";
        String longest = base + "a".repeat(Cid.MAX_LENGTH - base.length());

        assertThat(longest).hasSize(256);
        assertThat(Cid.parse(longest)).isPresent();
        assertThat(Cid.parse(longest + "a")).isEmpty();
    }

    @Test
    void hugeValuesAreRejected() {
        assertThat(Cid.parse("b" + "a".repeat(10_000))).isEmpty();
        assertThat(Cid.parse("Qm" + "a".repeat(10_000))).isEmpty();
        assertThat(Cid.parse(null)).isEmpty();
    }
}
