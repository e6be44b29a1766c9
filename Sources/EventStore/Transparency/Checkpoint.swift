import Foundation

/// A C2SP tlog-checkpoint body: the origin, the tree size and the base64 root, then optional extension lines.
public struct Checkpoint: Sendable, Hashable {
    public var origin: String
    public var size: Int64
    /// The RFC 9162 root of the first ``size`` leaves.
    public var root: [UInt8]
    /// Extension lines (non-empty). The store writes one only on an export's checkpoint (``ExportSet``).
    public var extensions: [String]

    public init(origin: String, size: Int64, root: [UInt8], extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The note text, with its final newline.
    public var body: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).joined(separator: "\n") + "\n"
    }

    /// Parses a note text as a checkpoint.
    public init(body: String) throws {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty,
            let size = Int64(lines[1]), size >= 0, String(size) == lines[1],
            let root = Data(base64Encoded: String(lines[2])), root.count == 32,
            Data(root).base64EncodedString() == lines[2],
            lines.dropFirst(3).dropLast().allSatisfy({ !$0.isEmpty })
        else {
            throw ProofError(.badCheckpoint, "the note is not a checkpoint (origin, tree size, base64 root)")
        }
        origin = String(lines[0])
        self.size = size
        self.root = Array(root)
        extensions = lines.dropFirst(3).dropLast().map(String.init)
    }
}

/// A checkpoint with its signed note, checked against a verifier key and origin.
public struct SignedCheckpoint: Sendable, Hashable {
    public var checkpoint: Checkpoint
    /// The whole signed note, verbatim.
    public var note: String

    /// Signs `checkpoint` with `signer` (whose name must be the checkpoint's origin).
    public init(signing checkpoint: Checkpoint, with signer: NoteSigner) throws {
        guard checkpoint.origin == signer.name else {
            throw ProofError(.badKey, "the key is named \(signer.name), but the log's origin is \(checkpoint.origin)")
        }
        self.checkpoint = checkpoint
        note = try SignedNote.sign(checkpoint.body, with: signer)
    }

    /// Parses a signed checkpoint and checks it: a valid signature by `verifier`, and an origin equal to
    /// the key's name.
    public init(verifying note: String, with verifier: NoteVerifier) throws {
        let signed = try SignedNote(parsing: note)
        try signed.verify(verifier)
        let checkpoint = try Checkpoint(body: signed.text)
        guard checkpoint.origin == verifier.name else {
            throw ProofError(
                .badCheckpoint, "the checkpoint is of the log \(checkpoint.origin), not of \(verifier.name)")
        }
        self.checkpoint = checkpoint
        self.note = note
    }
}
