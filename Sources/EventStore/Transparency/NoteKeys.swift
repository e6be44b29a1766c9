import Crypto
import Foundation

/// The Ed25519 key that signs checkpoints, in the encodings of C2SP signed-note (and Go's `note` package).
///
/// Private key file: `PRIVATE+KEY+<name>+<key id, 8 hex digits>+<base64(0x01 || 32-byte seed)>`. The key
/// id is the first four bytes, big-endian, of `SHA-256(name || 0x0A || 0x01 || public key)`.
public struct NoteSigner: Sendable {
    /// The key name: the log's origin.
    public let name: String
    let privateKey: Curve25519.Signing.PrivateKey

    /// A new random key named `name`.
    ///
    /// - Throws: `bad_key` when the name is empty or holds a space or a `+`.
    public init(generatingFor name: String) throws {
        try NoteVerifier.checkName(name)
        self.name = name
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// Reads a private key file's text.
    public init(encoded text: String) throws {
        // The key data is base64, which may itself hold `+`: it is everything after the fourth `+`.
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
            let raw = Data(base64Encoded: String(parts[4])), raw.count == 33, raw.first == 0x01,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst())
        else {
            throw ProofError(.badKey, "not a signing key (PRIVATE+KEY+name+hash+base64 of an Ed25519 seed)")
        }
        let name = String(parts[2])
        try NoteVerifier.checkName(name)
        self.name = name
        privateKey = key
        guard String(parts[3]) == NoteVerifier.hex(keyID) else {
            throw ProofError(.badKey, "the signing key's id \(parts[3]) does not match its name and key")
        }
    }

    /// The private key file's text (one line, no newline).
    public var encoded: String {
        "PRIVATE+KEY+\(name)+\(NoteVerifier.hex(keyID))+"
            + (Data([0x01]) + privateKey.rawRepresentation).base64EncodedString()
    }

    /// The matching verifier key.
    public var verifier: NoteVerifier {
        NoteVerifier(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    var keyID: UInt32 { verifier.keyID }

    /// The signature line of `text` (a note text ending in a newline), with its newline.
    func signatureLine(for text: String) throws -> String {
        let signature = try privateKey.signature(for: Data(text.utf8))
        let keyID = withUnsafeBytes(of: self.keyID.bigEndian) { Data($0) }
        return "\u{2014} \(name) \((keyID + signature).base64EncodedString())\n"
    }
}

/// A C2SP signed-note verifier key for Ed25519: `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`.
public struct NoteVerifier: Sendable, Hashable {
    /// The key name: the log's origin.
    public let name: String
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
    }

    /// Reads a verifier key (the one line of `KEY.pub`).
    public init(encoded text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.first == 0x01,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst())) != nil
        else {
            throw ProofError(.badKey, "not a verifier key (name+hash+base64 of 0x01 and an Ed25519 public key)")
        }
        try Self.checkName(String(parts[0]))
        self.init(name: String(parts[0]), publicKey: Array(raw.dropFirst()))
        guard String(parts[1]) == Self.hex(keyID) else {
            throw ProofError(.badKey, "the verifier key's id \(parts[1]) does not match its name and key")
        }
    }

    /// The verifier key's text.
    public var encoded: String {
        "\(name)+\(Self.hex(keyID))+" + Data([0x01] + publicKey).base64EncodedString()
    }

    /// `SHA-256(name || 0x0A || 0x01 || public key)[:4]`, big-endian.
    public var keyID: UInt32 {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, 0x01] + publicKey)
        return Array(hasher.finalize()).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Whether `signature` (64 bytes) is this key's Ed25519 signature of `text`.
    func isValidSignature(_ signature: some DataProtocol, of text: String) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: Data(text.utf8))
    }

    static func hex(_ keyID: UInt32) -> String {
        let digits = String(keyID, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Key names are non-empty, without Unicode spaces or `+` (C2SP signed-note).
    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "+" }) else {
            throw ProofError(.badKey, "a key name must be non-empty, without spaces or '+' (e.g. example.com/audit)")
        }
    }
}
