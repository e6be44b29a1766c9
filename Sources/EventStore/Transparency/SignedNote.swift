import Foundation

/// A C2SP signed note: a text ending in a newline, a blank line, then signature lines
/// `— <key name> base64(key id || signature)`.
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        public var name: String
        public var keyID: UInt32
        public var signature: [UInt8]
    }

    /// The signed text, with its final newline.
    public var text: String
    public var signatures: [Signature]

    /// The most signature lines a note may carry (the spec asks verifiers to accept at least 16).
    static let signatureLimit = 64

    /// Signs `text` (which must end in a newline) with `signer`.
    public static func sign(_ text: String, with signer: NoteSigner) throws -> String {
        guard text.hasSuffix("\n") else { throw ProofError(.badNote, "a note text must end in a newline") }
        return text + "\n" + (try signer.signatureLine(for: text))
    }

    /// Parses a signed note.
    ///
    /// - Throws: `bad_note` when it is not one: control characters, no blank line before the signatures, or
    ///   a signature line out of form.
    public init(parsing note: String) throws {
        guard !note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw ProofError(.badNote, "a signed note must not contain control characters")
        }
        guard note.hasSuffix("\n"), let split = note.range(of: "\n\n", options: .backwards) else {
            throw ProofError(.badNote, "not a signed note (text, blank line, signature lines)")
        }
        text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard !lines.isEmpty, lines.count <= Self.signatureLimit else {
            throw ProofError(.badNote, "a signed note needs between 1 and \(Self.signatureLimit) signature lines")
        }
        signatures = try lines.map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "\u{2014}", !fields[1].isEmpty,
                let raw = Data(base64Encoded: String(fields[2])), raw.count >= 5
            else {
                throw ProofError(.badNote, "a signature line is not '— <key name> <base64 signature>'")
            }
            return Signature(
                name: String(fields[1]), keyID: raw.prefix(4).reduce(0) { $0 << 8 | UInt32($1) },
                signature: Array(raw.dropFirst(4)))
        }
    }

    /// Checks the note against the one trusted key (C2SP signed-note): lines of other keys are ignored, a
    /// failing line of the trusted key rejects the note, and at least one line of it must verify.
    public func verify(_ verifier: NoteVerifier) throws {
        let known = signatures.filter { $0.name == verifier.name && $0.keyID == verifier.keyID }
        guard !known.isEmpty else {
            throw ProofError(
                .badSignature,
                "the note carries no signature by the key \(verifier.name)+\(NoteVerifier.hex(verifier.keyID))")
        }
        for line in known where !verifier.isValidSignature(line.signature, of: text) {
            throw ProofError(.badSignature, "the signature by \(verifier.name) does not verify: the note was altered")
        }
    }
}
