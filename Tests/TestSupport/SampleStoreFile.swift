import Foundation

/// A temporary store the built binary has ingested the four samples of `Tests/Fixtures` into.
///
/// ```swift
/// let samples = try SampleStoreFile()
/// let result = try samples.run(["show", "tom.rossi@fabrikam.com", "--format", "json"])
/// ```
///
/// Each value ingests into a directory of its own (about half a second), removed with the value; with
/// `backend: .postgres` the store is a new database of the shared ``PostgresCluster`` instead, and ``path``
/// its `postgres://` address.
public struct SampleStoreFile: Sendable {
    /// The four sample files, in the order they are ingested.
    public static let sampleFiles = [
        "native.ndjson", "nanomdm-webhook.ndjson", "graph-troubleshooting.json", "discovery-access.log",
    ]

    /// After every sample event: pass it as `--as-of` so "stalled" does not depend on today's date.
    public static let asOf = "2027-01-15T00:00:00Z"

    public let directory: TemporaryDirectory
    /// The store: a file, or a `postgres://` address.
    public let path: String
    public let backend: StoreBackend

    /// Ingests the samples into a fresh store on `backend`.
    ///
    /// - Throws: when the binary cannot be started or the ingest fails.
    public init(backend: StoreBackend = .sqlite) throws {
        directory = TemporaryDirectory()
        self.backend = backend
        path = try backend.newStore(in: directory, name: "samples")
        let result = try CommandLineTool.run(["ingest", "--store", path] + Self.sampleFiles.map(Fixtures.path))
        guard result.status == 0 else {
            throw SampleStoreError(message: "ingest of the samples exited \(result.status): \(result.stderr)")
        }
    }

    /// Runs `enroll-audit ARGUMENTS --store PATH`.
    @discardableResult
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
        try CommandLineTool.run(arguments + ["--store", path], environment: environment)
    }
}

/// The samples could not be ingested.
public struct SampleStoreError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension TemporaryDirectory {
    /// A store in this directory holding `lines` (native NDJSON), ingested through the binary.
    ///
    /// - Throws: ``SampleStoreError`` when the ingest fails.
    public func ingestedStore(_ lines: [String], name: String) throws -> String {
        let input = path("\(name).ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let store = path("\(name).sqlite")
        let result = try CommandLineTool.run(["ingest", "--store", store, input])
        guard result.status == 0 else {
            throw SampleStoreError(message: "ingest of \(name) exited \(result.status): \(result.stderr)")
        }
        return store
    }
}
