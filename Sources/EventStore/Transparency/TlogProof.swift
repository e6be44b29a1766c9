import Foundation

/// A C2SP tlog-proof@v1: the index of an entry, its inclusion proof, and the signed checkpoint it is
/// proven against, as text.
///
/// ```
/// c2sp.org/tlog-proof@v1
/// index 41
/// <base64 hash, from the leaf's sibling up>
/// …
///
/// <signed checkpoint>
/// ```
public struct TlogProof: Sendable, Hashable {
    static let header = "c2sp.org/tlog-proof@v1"

    public var index: Int64
    public var path: [[UInt8]]
    /// Optional opaque data (never trusted: it is not signed). The store writes none.
    public var extra: [UInt8]?
    /// The signed checkpoint, verbatim.
    public var checkpoint: String

    public init(index: Int64, path: [[UInt8]], checkpoint: String, extra: [UInt8]? = nil) {
        self.index = index
        self.path = path
        self.checkpoint = checkpoint
        self.extra = extra
    }

    /// The proof's text.
    public var text: String {
        var text = Self.header + "\n"
        if let extra { text += "extra " + Data(extra).base64EncodedString() + "\n" }
        text += "index \(index)\n"
        return text + ProofHashLines.text(path) + "\n" + checkpoint
    }

    /// Parses a proof's text.
    public init(parsing text: String) throws {
        func bad(_ what: String) -> ProofError { ProofError(.badProof, "not a tlog-proof@v1: \(what)") }
        guard let blank = text.range(of: "\n\n") else { throw bad("no blank line before the checkpoint") }
        var lines = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.popFirst() == Substring(Self.header) else { throw bad("the first line is not \(Self.header)") }
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let data = Data(base64Encoded: String(line.dropFirst(6))) else { throw bad("extra is not base64") }
            extra = Array(data)
            lines.removeFirst()
        }
        guard let indexLine = lines.popFirst(), indexLine.hasPrefix("index "),
            let index = Int64(indexLine.dropFirst(6)), index >= 0, String(index) == indexLine.dropFirst(6)
        else { throw bad("no index line") }
        self.index = index
        path = try ProofHashLines.parse(lines, bad: bad)
        checkpoint = String(text[blank.upperBound...])
    }
}

/// The hash lines of a proof text (tlog-proof, tlog-witness): one base64 SHA-256 hash a line, at most 63.
enum ProofHashLines {
    static func text(_ path: [[UInt8]]) -> String {
        path.map { Data($0).base64EncodedString() + "\n" }.joined()
    }

    static func parse(_ lines: some Sequence<Substring>, bad: (String) -> ProofError) throws -> [[UInt8]] {
        let path = try lines.map { line in
            guard let hash = Data(base64Encoded: String(line)), hash.count == 32 else {
                throw bad("a proof line is not a base64 SHA-256 hash")
            }
            return Array(hash)
        }
        guard path.count <= 63 else { throw bad("the proof is longer than any tree's") }
        return path
    }
}
