import Foundation

/// A signed checkpoint with the consistency proof (RFC 9162 §2.1.4) that its tree extends the tree of an
/// older size, as text: the request body of C2SP tlog-witness's `add-checkpoint`, which whoever holds the
/// older checkpoint (an auditor with an export) checks offline.
///
/// ```
/// old 912
/// <base64 hash of the consistency proof>
/// …
///
/// <signed checkpoint>
/// ```
public struct ConsistencyProof: Sendable, Hashable {
    /// The older tree size the proof starts from.
    public var oldSize: Int64
    /// The consistency proof, at most 63 hashes (empty when `oldSize` is 0 or the checkpoint's size).
    public var path: [[UInt8]]
    /// The newer signed checkpoint, verbatim.
    public var checkpoint: String

    public init(oldSize: Int64, path: [[UInt8]], checkpoint: String) {
        self.oldSize = oldSize
        self.path = path
        self.checkpoint = checkpoint
    }

    /// Whether `text` has the form of one (its first line is an `old` line), rather than a bare checkpoint.
    public static func looksLikeOne(_ text: String) -> Bool { text.hasPrefix("old ") }

    /// The proof's text.
    public var text: String {
        "old \(oldSize)\n" + ProofHashLines.text(path) + "\n" + checkpoint
    }

    /// Parses a proof's text.
    public init(parsing text: String) throws {
        func bad(_ what: String) -> ProofError { ProofError(.badProof, "not a consistency proof: \(what)") }
        guard let blank = text.range(of: "\n\n") else { throw bad("no blank line before the checkpoint") }
        var lines = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix("old "), let size = Int64(first.dropFirst(4)),
            size >= 0, String(size) == first.dropFirst(4)
        else { throw bad("the first line is not `old SIZE`") }
        oldSize = size
        path = try ProofHashLines.parse(lines, bad: bad)
        checkpoint = String(text[blank.upperBound...])
    }

    /// Checks the newer checkpoint's signature with `key` and that its tree extends `older`'s.
    ///
    /// - Returns: the newer checkpoint.
    /// - Throws: ``ProofError``: `badSignature`/`badCheckpoint` for the checkpoint, `inconsistent` when the
    ///   proof is from another size, towards a smaller tree, or does not verify.
    public func verify(extending older: Checkpoint, key: NoteVerifier) throws -> SignedCheckpoint {
        let newer = try SignedCheckpoint(verifying: checkpoint, with: key)
        guard oldSize == older.size else {
            throw ProofError(
                .inconsistent, "the proof is from a tree of \(oldSize) events, not the older checkpoint's \(older.size)"
            )
        }
        guard older.size <= newer.checkpoint.size else {
            throw ProofError(
                .inconsistent,
                "the later checkpoint is of \(newer.checkpoint.size) events, fewer than the older one's \(older.size)")
        }
        guard
            MerkleHash.verifyConsistency(
                firstSize: older.size, secondSize: newer.checkpoint.size, firstRoot: older.root,
                secondRoot: newer.checkpoint.root, path: path)
        else {
            throw ProofError(
                .inconsistent,
                "the later checkpoint does not extend the older one: the log was rewritten in between, or the proof is altered"
            )
        }
        return newer
    }
}
