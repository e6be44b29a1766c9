import Crypto
import EnrollmentDomain

/// A SHA-256 hash held inline: 32 bytes in four words, no heap allocation, no reference count.
///
/// The append path computes two hashes per event (the chain hash and the Merkle leaf) and about one
/// tree node; as `[UInt8]` each was a heap array allocated on the writer thread and freed later. This
/// value carries them from the hasher to the SQLite bindings and the tree's right edge instead, and is
/// turned into `[UInt8]` only where a public type needs one (``RecordedEvent/hash``).
public struct Digest32: Hashable, Sendable, CustomStringConvertible {
    /// The bytes, in order, as four words laid out in memory one after the other.
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// The number of bytes.
    public static let byteCount = 32

    /// 32 zero bytes (the chain's previous hash of the first event).
    public static let zero = Digest32(words: (0, 0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The bytes of a finished SHA-256.
    public init(_ digest: SHA256Digest) {
        words = (0, 0, 0, 0)
        digest.withUnsafeBytes { source in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) }
        }
    }

    /// The hash whose bytes are `bytes`, or `nil` unless there are exactly 32 of them.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            for (offset, byte) in bytes.enumerated() { target[offset] = byte }
        }
    }

    /// The bytes as an array.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Lowercase hexadecimal digits, two per byte.
    public var description: String {
        var digits: [UInt8] = []
        digits.reserveCapacity(64)
        appendHex(to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// Calls `body` with the 32 bytes.
    public func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Appends the 64 lowercase hexadecimal digits of the bytes to `output`.
    public func appendHex(to output: inout [UInt8]) {
        withUnsafeBytes { bytes in
            for byte in bytes {
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Feeds the 32 bytes to `hasher`.
    func update(_ hasher: inout SHA256) {
        withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    public static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

extension SHA256 {
    /// Finishes the hash as an inline ``Digest32``.
    mutating func finalizeDigest32() -> Digest32 {
        Digest32(finalize())
    }
}
