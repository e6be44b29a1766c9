/// A malformed or failing key, signed note, checkpoint or proof, with a stable code.
public struct ProofError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A key file or verifier key that is not in the C2SP signed-note encoding.
        public static let badKey = Code(rawValue: "bad_key")
        /// A text that is not a C2SP signed note.
        public static let badNote = Code(rawValue: "bad_note")
        /// A note with no verifying signature by the trusted key, or a signature that fails.
        public static let badSignature = Code(rawValue: "bad_signature")
        /// A note body that is not a C2SP tlog-checkpoint, or one of another log (origin).
        public static let badCheckpoint = Code(rawValue: "bad_checkpoint")
        /// A text that is not a C2SP tlog-proof, or a proof that does not verify.
        public static let badProof = Code(rawValue: "bad_proof")
        /// Two checkpoints of which the later does not extend the earlier.
        public static let inconsistent = Code(rawValue: "inconsistent")
    }

    public var code: Code
    /// What is wrong, in words.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
