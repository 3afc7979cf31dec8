package io.blobrepair.peer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Peer authentication of the storage network: HTTP Basic credentials signed with the node's
 * secp256k1 (Ethereum) key, as exchanged between mediorum servers.
 *
 * <p>Wire format, {@code Authorization: Basic base64(user ":" password)}:
 * <ul>
 *   <li>{@code user}: the signing time in Unix milliseconds, as a decimal string;</li>
 *   <li>{@code password}: {@code "0x"} followed by the 65-byte signature {@code r ‖ s ‖ v} in lowercase hex.</li>
 * </ul>
 * The signed digest is the EIP-191 "personal message" hash of the 32-byte keccak-256 of the user string:
 * {@code keccak256("\x19Ethereum Signed Message:\n32" ‖ keccak256(utf8(user)))}.
 * Signatures made here carry {@code v} = 27/28 (the Ethereum wallet convention); when verifying,
 * {@code v} = 0/1 (what go-ethereum's {@code crypto.Sign} yields) is accepted as well.
 *
 * <p>Recovering a wallet only proves who signed; callers must still check the returned wallet against
 * the configured peer wallets (see {@link #sameWallet}). Any change to the user or the signature makes the
 * recovery produce a different wallet (or none), never the original signer.
 *
 * <p>Instances are immutable and thread-safe. The private key never appears in {@link #toString()} or in
 * exception messages.
 */
public final class PeerSignature {

    /** Oldest signature a mediorum server accepts. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    /** How far in the future a signing time may lie (clock skew between nodes). */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);

    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();
    private static final HexFormat HEX = HexFormat.of();
    private static final int SIGNATURE_BYTES = 65;
    private static final int SIGNATURE_HEX_DIGITS = SIGNATURE_BYTES * 2;
    private static final int PRIVATE_KEY_HEX_DIGITS = 64;
    /** More than 18 digits could overflow a long; real millisecond timestamps have 13. */
    private static final int MAX_USER_DIGITS = 18;
    /** A well-formed header is about 200 characters; anything much longer is not worth decoding. */
    private static final int MAX_HEADER_CHARS = 1024;
    private static final String BASIC = "Basic ";

    private final ECKeyPair keyPair;
    private final String walletAddress;

    private PeerSignature(ECKeyPair keyPair) {
        this.keyPair = keyPair;
        this.walletAddress = "0x" + Keys.getAddress(keyPair.getPublicKey());
    }

    /**
     * The signer for a 32-byte private key written as 64 hex digits, with or without {@code 0x}.
     *
     * @throws IllegalArgumentException if the text is not such a key, or the key is not a valid secp256k1
     *         scalar; the message never repeats the input
     */
    public static PeerSignature fromPrivateKeyHex(String hex) {
        if (hex == null) {
            throw new IllegalArgumentException("private key is missing");
        }
        String digits = stripHexPrefix(hex.strip());
        if (digits.length() != PRIVATE_KEY_HEX_DIGITS) {
            throw new IllegalArgumentException("private key must be 64 hex digits (32 bytes), optionally prefixed with 0x");
        }
        byte[] bytes;
        try {
            bytes = HEX.parseHex(digits);
        } catch (IllegalArgumentException e) {
            // no cause: HexFormat's message quotes the offending character
            throw new IllegalArgumentException("private key is not hexadecimal");
        }
        BigInteger scalar = new BigInteger(1, bytes);
        Arrays.fill(bytes, (byte) 0);
        if (scalar.signum() == 0 || scalar.compareTo(CURVE_ORDER) >= 0) {
            throw new IllegalArgumentException("private key is out of range for secp256k1");
        }
        return new PeerSignature(ECKeyPair.create(scalar));
    }

    /** The Ethereum address of this key: {@code "0x"} and 40 lowercase hex digits. */
    public String walletAddress() {
        return walletAddress;
    }

    /**
     * The {@code Authorization} header value for a peer request made at {@code now}.
     * Signing is deterministic (RFC 6979): the same key and millisecond give the same header.
     */
    public String basicAuthorizationHeader(Instant now) {
        Objects.requireNonNull(now, "now");
        long millis = now.toEpochMilli();
        if (millis < 0) {
            throw new IllegalArgumentException("signing time is before 1970");
        }
        String user = Long.toString(millis);
        String credentials = user + ":0x" + HEX.formatHex(signKeccakPersonal(user.getBytes(StandardCharsets.UTF_8)));
        return BASIC + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The wallet (lowercase {@code "0x"} + 40 hex) that signed a peer {@code Authorization} header, if the header
     * is well formed, its signature recovers a key, and its time lies within {@code maxAge} before {@code now}
     * and {@link #DEFAULT_MAX_FUTURE_SKEW} after it. Empty otherwise; never throws on a malformed header.
     */
    public static Optional<String> verify(String authorizationHeader, Instant now, Duration maxAge) {
        return verify(authorizationHeader, now, maxAge, DEFAULT_MAX_FUTURE_SKEW);
    }

    /** As {@link #verify(String, Instant, Duration)}, with an explicit tolerance for signing times ahead of now. */
    public static Optional<String> verify(String authorizationHeader, Instant now, Duration maxAge, Duration maxFutureSkew) {
        Objects.requireNonNull(now, "now");
        requireNotNegative(maxAge, "maxAge");
        requireNotNegative(maxFutureSkew, "maxFutureSkew");
        try {
            return verifyHeader(authorizationHeader, now, maxAge, maxFutureSkew);
        } catch (RuntimeException e) {
            // last line of defence: whatever a hostile header triggers inside the libraries is a rejection
            return Optional.empty();
        }
    }

    /** Whether two wallet addresses are the same, ignoring case and an optional {@code 0x}. */
    public static boolean sameWallet(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        String x = stripHexPrefix(a.strip());
        String y = stripHexPrefix(b.strip());
        return !x.isEmpty() && x.equalsIgnoreCase(y);
    }

    @Override
    public String toString() {
        return "PeerSignature[wallet=" + walletAddress + "]";
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Optional<String> verifyHeader(String header, Instant now, Duration maxAge, Duration maxFutureSkew) {
        if (header == null || header.length() > MAX_HEADER_CHARS) {
            return Optional.empty();
        }
        String value = header.strip();
        if (!value.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(value.substring(BASIC.length()).strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String credentials = new String(decoded, StandardCharsets.ISO_8859_1); // one char per byte, never fails
        int colon = credentials.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String user = credentials.substring(0, colon);
        String password = credentials.substring(colon + 1);

        Optional<Instant> signedAt = parseMillis(user);
        if (signedAt.isEmpty() || !withinWindow(signedAt.get(), now, maxAge, maxFutureSkew)) {
            return Optional.empty();
        }
        Optional<byte[]> signature = parseSignatureHex(password);
        if (signature.isEmpty()) {
            return Optional.empty();
        }
        // user is ASCII digits here, so its ISO-8859-1 and UTF-8 bytes are the same
        return recoverKeccakPersonalSigner(user.getBytes(StandardCharsets.UTF_8), signature.get());
    }

    private static Optional<Instant> parseMillis(String user) {
        if (user.isEmpty() || user.length() > MAX_USER_DIGITS) {
            return Optional.empty();
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Instant.ofEpochMilli(Long.parseLong(user)));
    }

    private static boolean withinWindow(Instant signedAt, Instant now, Duration maxAge, Duration maxFutureSkew) {
        Duration age = Duration.between(signedAt, now);
        if (age.isNegative()) {
            return age.negated().compareTo(maxFutureSkew) <= 0;
        }
        return age.compareTo(maxAge) <= 0;
    }

    private static Optional<byte[]> parseSignatureHex(String password) {
        String digits = stripHexPrefix(password);
        if (digits.length() != SIGNATURE_HEX_DIGITS) {
            return Optional.empty();
        }
        try {
            return Optional.of(HEX.parseHex(digits));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code r ‖ s ‖ v} (v = 27/28) over the EIP-191 hash of {@code keccak256(data)}. */
    byte[] signKeccakPersonal(byte[] data) {
        return signPersonal(Hash.sha3(data));
    }

    /** {@code r ‖ s ‖ v} (v = 27/28) over {@code keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message)}. */
    byte[] signPersonal(byte[] message) {
        Sign.SignatureData sig = Sign.signPrefixedMessage(message, keyPair);
        byte[] out = new byte[SIGNATURE_BYTES];
        System.arraycopy(sig.getR(), 0, out, 0, 32);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return out;
    }

    /**
     * The wallet whose key made {@code signature} ({@code r ‖ s ‖ v}, v in 0, 1, 27, 28) over the EIP-191 hash
     * of {@code keccak256(data)}; empty when no key can be recovered.
     */
    static Optional<String> recoverKeccakPersonalSigner(byte[] data, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return Optional.empty();
        }
        int v = signature[64] & 0xff;
        int recId;
        if (v == 0 || v == 1) {
            recId = v;
        } else if (v == 27 || v == 28) {
            recId = v - 27;
        } else {
            return Optional.empty();
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        if (!inScalarRange(r) || !inScalarRange(s)) {
            return Optional.empty();
        }
        byte[] messageHash = Sign.getEthereumMessageHash(Hash.sha3(data));
        BigInteger publicKey = Sign.recoverFromSignature(recId, new ECDSASignature(r, s), messageHash);
        if (publicKey == null) {
            return Optional.empty();
        }
        return Optional.of("0x" + Keys.getAddress(publicKey));
    }

    private static boolean inScalarRange(BigInteger x) {
        return x.signum() > 0 && x.compareTo(CURVE_ORDER) < 0;
    }

    private static String stripHexPrefix(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " is negative");
        }
    }
}
