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
