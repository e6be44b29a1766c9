import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Tests that ingest `Tests/Fixtures/real-world/` files into their store through the binary and query it.
protocol FixtureStoreTests {
    /// The store's path.
    var store: String { get }
}

extension FixtureStoreTests {
    /// Ingests the fixtures `files` (names under `real-world/`); returns the JSON summary.
    @discardableResult
    func ingest(_ files: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let result = try CommandLineTool.run(
            ["ingest", "--store", store, "--format", "json"] + files.map { Fixtures.path("real-world/" + $0) })
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try JSONParser.parse(result.stdout)
    }

    /// Every stored event, as `export --format ndjson` writes it.
    func exported() throws -> [JSONValue] {
        let export = try CommandLineTool.run(["export", "--store", store, "--format", "ndjson"])
        return try export.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    /// `devices --format json`, by enrollment id.
    func devices() throws -> [String: JSONValue] {
        let result = try CommandLineTool.run(["devices", "--store", store, "--format", "json"])
        var byID: [String: JSONValue] = [:]
        for device in try JSONParser.parse(result.stdout).elements ?? [] {
            if let id = device["enrollment"]?.stringValue { byID[id] = device }
        }
        return byID
    }

    /// The entries of `timeline --format json` of `id`.
    func timeline(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONValue] {
        let result = try CommandLineTool.run(["timeline", "--store", store, "--format", "json", id])
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try JSONParser.parse(result.stdout)["entries"]?.elements ?? []
    }
}
