import EnrollmentDomain
import EventStore
import Foundation
import Ingest
import TestSupport

/// Helpers shared by the ingest tests.
enum Ingesting {
    /// The four sample inputs.
    static let samples = [
        "native.ndjson", "nanomdm-webhook.ndjson", "graph-troubleshooting.json", "discovery-access.log",
    ]

    /// Ingests `paths` into `store` with `options`.
    @discardableResult
    static func run(
        _ paths: [String], into store: SQLiteEventStore, options: IngestOptions = IngestOptions()
    ) throws -> IngestSummary {
        let inputs = try paths.map { path in
            IngestInput(name: path, handle: try FileHandle(forReadingFrom: URL(fileURLWithPath: path)))
        }
        return try IngestRunner(options: options).run(inputs, into: store)
    }

    /// Ingests `text` (written to a file named `name` in `directory`) into `store`.
    @discardableResult
    static func run(
        text: String, named name: String = "input.txt", in directory: TemporaryDirectory, into store: SQLiteEventStore,
        options: IngestOptions = IngestOptions()
    ) throws -> IngestSummary {
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try run([path], into: store, options: options)
    }

    /// Every stored event, by id, with its canonical envelope and data (everything but the store's own
    /// position, version, time and hash).
    static func storedSet(_ store: SQLiteEventStore) throws -> [UUID: String] {
        var events: [UUID: String] = [:]
        try store.forEachEvent { recorded in
            events[recorded.event.eventID] = recorded.event.jsonValue.canonicalString
            return true
        }
        return events
    }

    /// Decodes every line of `text` with `decoder`, finishing it at the end.
    static func decode(_ text: String, with decoder: any InputDecoder) -> [DecodedRecord] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        if lines.last == [] { lines.removeLast() }
        return decode(lines: lines, with: decoder)
    }

    /// Decodes `lines` (bytes, without line endings) with `decoder`, finishing it at the end.
    static func decode(lines: [[UInt8]], with decoder: any InputDecoder) -> [DecodedRecord] {
        var records: [DecodedRecord] = []
        for (index, line) in lines.enumerated() {
            records += decoder.feed(line, lineNumber: index + 1)
        }
        return records + decoder.finish()
    }
}

extension DecodedRecord {
    /// The events, or an empty array for a skipped or rejected record.
    var events: [NewEvent] {
        if case .events(let events) = outcome { return events }
        return []
    }

    /// The rejection reason, or `nil`.
    var rejection: String? {
        if case .rejected(let reason) = outcome { return reason }
        return nil
    }

    /// Whether the record was skipped.
    var isSkipped: Bool {
        if case .skipped = outcome { return true }
        return false
    }
}
