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
import java.util.OptionalLong;

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
 * <p>Incoming headers are read the way the reference's {@code checkBasicAuth} reads them: the user is
 * parsed like Go's {@code strconv.ParseInt(user, 0, 64)} (sign, {@code 0x}/{@code 0o}/{@code 0b} or a
 * leading {@code 0} for octal, {@code _} between digits) while the signature covers the user text as
 * sent; the password's first two characters are dropped (the {@code 0x}) and the rest must be the 65
 * signature bytes in hex. A signing time more than an hour old is refused, as the reference does. The
 * reference accepts any signing time in the future, which would make such a header valid forever;
 * here it may lie at most {@link #DEFAULT_MAX_FUTURE_SKEW} (one hour, the same window) ahead.
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
    /**
     * How far in the future a signing time may lie: clock skew between nodes. The reference sets no
     * bound (a far-future header never expires); one hour mirrors its one-hour age window.
     */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofHours(1);

    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();
    private static final HexFormat HEX = HexFormat.of();
    private static final int SIGNATURE_BYTES = 65;
    private static final int SIGNATURE_HEX_DIGITS = SIGNATURE_BYTES * 2;
    private static final int PRIVATE_KEY_HEX_DIGITS = 64;
    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger INT64_NEGATIVE_LIMIT = BigInteger.ONE.shiftLeft(63);
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
        // user is ASCII here (sign, digits, letters, '_'), so its ISO-8859-1 and UTF-8 bytes are the same
        return recoverKeccakPersonalSigner(user.getBytes(StandardCharsets.UTF_8), signature.get());
    }

    private static Optional<Instant> parseMillis(String user) {
        OptionalLong millis = parseGoInt(user);
        return millis.isPresent() ? Optional.of(Instant.ofEpochMilli(millis.getAsLong())) : Optional.empty();
    }

    /**
     * {@code text} read as Go's {@code strconv.ParseInt(text, 0, 64)} reads it: an optional sign; base 16
     * after {@code 0x}, 8 after {@code 0o} or a bare leading {@code 0}, 2 after {@code 0b} (prefix letters
     * in either case, the prefix needs a digit after it), else 10; {@code _} only between digits or after
     * a prefix; empty on a syntax error or outside the int64 range.
     */
    static OptionalLong parseGoInt(String text) {
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        boolean negative = text.charAt(0) == '-';
        String unsigned = negative || text.charAt(0) == '+' ? text.substring(1) : text;
        if (unsigned.isEmpty()) {
            return OptionalLong.empty();
        }
        int base = 10;
        String digits = unsigned;
        if (unsigned.charAt(0) == '0') {
            char prefix = unsigned.length() >= 3 ? asciiLower(unsigned.charAt(1)) : 0;
            base = switch (prefix) {
                case 'b' -> 2;
                case 'o' -> 8;
                case 'x' -> 16;
                default -> 8;
            };
            digits = prefix == 'b' || prefix == 'o' || prefix == 'x' ? unsigned.substring(2) : unsigned.substring(1);
        }
        boolean underscores = false;
        BigInteger n = BigInteger.ZERO;
        BigInteger radix = BigInteger.valueOf(base);
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            int d;
            if (c == '_') {
                underscores = true;
                continue;
            } else if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (asciiLower(c) >= 'a' && asciiLower(c) <= 'z') {
                d = asciiLower(c) - 'a' + 10;
            } else {
                return OptionalLong.empty();
            }
            if (d >= base) {
                return OptionalLong.empty();
            }
            n = n.multiply(radix).add(BigInteger.valueOf(d));
            if (n.compareTo(UINT64_LIMIT) >= 0) {
                return OptionalLong.empty();
            }
        }
        if (underscores && !underscoresBetweenDigits(text)) {
            return OptionalLong.empty();
        }
        if (negative ? n.compareTo(INT64_NEGATIVE_LIMIT) > 0 : n.compareTo(INT64_NEGATIVE_LIMIT) >= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(negative ? n.negate().longValue() : n.longValue());
    }

    /** Go's rule for {@code _} in integer literals: only between digits, or between a base prefix and a digit. */
    private static boolean underscoresBetweenDigits(String text) {
        String s = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        char saw = '^'; // ^ start, 0 digit or prefix, _ underscore, ! anything else
        int i = 0;
        boolean hex = false;
        if (s.length() >= 2 && s.charAt(0) == '0' && "box".indexOf(asciiLower(s.charAt(1))) >= 0) {
            i = 2;
            saw = '0';
            hex = asciiLower(s.charAt(1)) == 'x';
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9' || hex && asciiLower(c) >= 'a' && asciiLower(c) <= 'f') {
                saw = '0';
            } else if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
            } else if (saw == '_') {
                return false;
            } else {
                saw = '!';
            }
        }
        return saw != '_';
    }

    /** Go's {@code lower}: ASCII letters to lower case, anything else unchanged in the way Go compares it. */
    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    private static boolean withinWindow(Instant signedAt, Instant now, Duration maxAge, Duration maxFutureSkew) {
        Duration age = Duration.between(signedAt, now);
        if (age.isNegative()) {
            return age.negated().compareTo(maxFutureSkew) <= 0;
        }
        return age.compareTo(maxAge) <= 0;
    }

    /** As the reference: the first two characters (the {@code 0x}) dropped, the rest 65 bytes of hex in any case. */
    private static Optional<byte[]> parseSignatureHex(String password) {
        if (password.length() < 2) {
            return Optional.empty();
        }
        String digits = password.substring(2);
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
