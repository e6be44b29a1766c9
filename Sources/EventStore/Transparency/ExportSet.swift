import Crypto
import Foundation

/// The extension line an export's checkpoint carries: which leaves the export holds, so that a removed,
/// added, duplicated or reordered line is caught although each line proves itself.
///
/// `enroll-audit/export-set <count> <base64(SHA-256 of the leaf indices, 8 bytes big-endian each, in order)>`
public struct ExportSet: Sendable, Hashable {
    static let tag = "enroll-audit/export-set"

    /// How many events the export holds.
    public var count: Int64
    /// SHA-256 of their leaf indices.
    public var digest: [UInt8]

    /// Hashes leaf indices one at a time.
    public struct Accumulator {
        private var hasher = SHA256()
        public private(set) var count: Int64 = 0

        public init() {}

        public mutating func add(index: Int64) {
            withUnsafeBytes(of: UInt64(index).bigEndian) { hasher.update(bufferPointer: $0) }
            count += 1
        }

        public var set: ExportSet { ExportSet(count: count, digest: Array(hasher.finalize())) }
    }

    public init(count: Int64, digest: [UInt8]) {
        self.count = count
        self.digest = digest
    }

    /// The set of these leaf indices, in this order.
    public init(indices: some Sequence<Int64>) {
        var accumulator = Accumulator()
        for index in indices { accumulator.add(index: index) }
        self = accumulator.set
    }

    /// The extension line.
    public var line: String { "\(Self.tag) \(count) \(Data(digest).base64EncodedString())" }

    /// The set an extension line states, or `nil` when the line is another extension.
    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == Substring(Self.tag), let count = Int64(fields[1]), count >= 0,
            let digest = Data(base64Encoded: String(fields[2])), digest.count == 32
        else { return nil }
        self.init(count: count, digest: Array(digest))
    }

    /// The set a checkpoint states, if any.
    public init?(checkpoint: Checkpoint) {
        guard let set = checkpoint.extensions.lazy.compactMap(ExportSet.init(line:)).first else { return nil }
        self = set
    }
}
