import Foundation

/// A store of `Fixtures/native.ndjson` and a log key made by the real `keygen`, for the tests of proofs;
/// and both verifiers of an export (`verify --file --key`, `Tools/verify-export.py`).
public struct ProofStore {
    public let directory = TemporaryDirectory()
    public var path: String { directory.path("proofs.sqlite") }
    /// The private key; its verifier key is `key + ".pub"`.
    public var key: String { directory.path("audit.key") }
    /// A user with nine events in the fixture.
    public static let user = "tom.rossi@fabrikam.com"

    public struct SetupFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        let ingest = try CommandLineTool.run(["ingest", "--store", path, Fixtures.path("native.ndjson")])
        guard ingest.status == 0 else { throw SetupFailure(description: "ingest: \(ingest.stderr)") }
        let keygen = try CommandLineTool.run(["keygen", "--origin", "example.com/enrollment-audit", "--out", key])
        guard keygen.status == 0 else { throw SetupFailure(description: "keygen: \(keygen.stderr)") }
    }

    /// Two more keys made by `keygen`: one of the same origin (another key of the same name), one of another
    /// origin, for checkpoints a verifier must refuse.
    public func foreignKeys() throws -> (sameOrigin: String, otherOrigin: String) {
        let sameOrigin = directory.path("other.key")
        let otherOrigin = directory.path("other-origin.key")
        for (origin, path) in [("example.com/enrollment-audit", sameOrigin), ("example.com/other", otherOrigin)] {
            let keygen = try CommandLineTool.run(["keygen", "--origin", origin, "--out", path])
            guard keygen.status == 0 else { throw SetupFailure(description: "keygen: \(keygen.stderr)") }
        }
        return (sameOrigin, otherOrigin)
    }

    /// Ingests native NDJSON `lines` into `store` (default: this one).
    public func ingest(_ lines: [String], into store: String? = nil) throws {
        let file = directory.path("more-\(UUID().uuidString).ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let result = try CommandLineTool.run(["ingest", "--store", store ?? path, file])
        guard result.status == 0 else { throw SetupFailure(description: "ingest: \(result.stderr)") }
    }

    /// Saves `bytes` to a new file and runs both verifiers on it with `key`'s verifier key (default: the
    /// store's).
    public func verify(_ bytes: some Sequence<UInt8>, key: String? = nil) throws -> (
        swift: CommandLineTool.Result, python: CommandLineTool.Result
    ) {
        let file = directory.path("checked-\(UUID().uuidString).ndjson")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let verifier = (key ?? self.key) + ".pub"
        let swift = try CommandLineTool.run(["verify", "--file", file, "--key", verifier])
        let python = try PythonTool.run(["Tools/verify-export.py", file, verifier])
        return (swift, python)
    }
}
