import Crypto
import Foundation

/// What a token allows.
public enum Scope: String, Sendable, Hashable, CaseIterable {
    /// `POST /webhooks/mdm`, `/v1/events`, `/v1/ingest`.
    case ingest
    /// The read API: enrollments, timelines, stats, export, the event stream.
    case read
    /// `GET /metrics`.
    case metrics
}

/// The bearer tokens of a `--tokens` file: one per line, `TOKEN SCOPE[,SCOPE…]`, `#` starts a comment.
///
/// ```
/// # dashboards
/// 3f6c0e9e5b0d4c1e9b8f7a6d5c4b3a29 read,metrics
/// 9a8b7c6d5e4f30211223344556677889 ingest
/// ```
///
/// Only SHA-256 digests of the tokens are kept, and a presented token is compared with every one of them
/// in constant time, so neither the time of an answer nor memory tells a token.
public struct AccessTokens: Sendable {
    struct Entry: Sendable {
        var digest: [UInt8]
        var scopes: Set<Scope>
    }

    var entries: [Entry]

    /// The shortest token accepted, in characters.
    public static let minimumLength = 16

    /// Parses the text of a tokens file.
    ///
    /// - Parameter file: the file's name, for errors.
    /// - Throws: ``ServiceError`` (`bad_tokens_file`) naming the line: a short token, an unknown scope, a
    ///   token given twice, or no token at all.
    public init(parsing text: String, file: String) throws {
        entries = []
        var seen: Set<[UInt8]> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func fail(_ message: String) -> ServiceError {
                ServiceError(.badTokensFile, message, file: file, line: index + 1)
            }
            guard fields.count == 2 else { throw fail("expected 'TOKEN SCOPE[,SCOPE…]'") }
            let token = String(fields[0])
            guard token.count >= Self.minimumLength, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw fail("a token must be at least \(Self.minimumLength) printable ASCII characters")
            }
            var scopes: Set<Scope> = []
            for name in fields[1].split(separator: ",") {
                guard let scope = Scope(rawValue: String(name)) else {
                    throw fail(
                        "unknown scope '\(name)' (known: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                scopes.insert(scope)
            }
            guard !scopes.isEmpty else { throw fail("a token needs at least one scope") }
            let digest = Self.digest(token)
            guard seen.insert(digest).inserted else { throw fail("this token is listed twice") }
            entries.append(Entry(digest: digest, scopes: scopes))
        }
        guard !entries.isEmpty else { throw ServiceError(.badTokensFile, "no token in the file", file: file) }
    }

    /// Reads and parses a tokens file.
    public static func load(path: String) throws -> AccessTokens {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceError(.badTokensFile, "cannot read the tokens file", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ServiceError(.badTokensFile, "the tokens file is not UTF-8 text", file: path)
        }
        return try AccessTokens(parsing: text, file: path)
    }

    /// The scopes of `token`, or `nil` when it is not a known token. Takes the same time whichever entry
    /// matches, or none.
    public func scopes(of token: String) -> Set<Scope>? {
        let presented = Self.digest(token)
        var found: Set<Scope>?
        for entry in entries where Self.constantTimeEqual(entry.digest, presented) {
            found = entry.scopes
        }
        return found
    }

    static func digest(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    /// Compares two byte strings without stopping at the first difference.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
