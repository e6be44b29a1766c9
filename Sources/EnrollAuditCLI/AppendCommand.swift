import ArgumentParser
import EnrollmentDomain
import EventStore
import Foundation

extension EnrollAudit {
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events as one all-or-nothing batch.",
            discussion: """
                Each argument is one event as JSON; with none, NDJSON is read from standard input. \
                With --expected-version, the batch's stream must be at exactly that version (0: new stream), \
                or nothing is written and the command exits 2 naming both versions.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("Events as JSON objects.", valueName: "event"))
        var events: [String] = []

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("The version the stream must be at before the batch.", valueName: "n"))
        var expectedVersion: Int64?

        func run() throws {
            var lines: [(line: Int, bytes: [UInt8])] = events.enumerated().map {
                ($0.offset + 1, Array($0.element.utf8))
            }
            if events.isEmpty {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                var number = 0
                for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    number += 1
                    var bytes = Array(line)
                    if bytes.last == 0x0D { bytes.removeLast() }
                    if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append((number, bytes)) }
                }
            }
            var batch: [NewEvent] = []
            for (number, bytes) in lines {
                do {
                    batch.append(try NewEvent(ndjsonLine: bytes))
                } catch {
                    let place = events.isEmpty ? "-:\(number)" : "argument \(number)"
                    throw CLIFailure(.badInput, "error: \(place): \(error); nothing was stored")
                }
            }
            guard !batch.isEmpty else { throw CLIFailure(.usage, "error: no events given") }
            var expectations: [String: Int64] = [:]
            if let expectedVersion {
                let streams = Set(batch.map(\.stream))
                guard streams.count == 1 else {
                    throw CLIFailure(
                        .usage, "error: --expected-version needs a batch of one stream, got \(streams.count)")
                }
                expectations[streams.first!] = expectedVersion
            }
            let result: AppendResult
            if try storeOptions.postgresAddress != nil {
                // Through the log's protocol: PostgreSQL updates its read models in the append transaction.
                let (events, expected) = (batch, expectations)
                result = try storeOptions.withLog(.create) { try await $0.append(events, expectedVersions: expected) }
            } else {
                result = try storeOptions.openForWriting().append(batch, expectedVersions: expectations)
            }
            for (event, outcome) in zip(batch, result.outcomes) {
                switch outcome {
                case .appended(let position):
                    try Terminal.standardOutput("appended \(event.eventID.lowercasedString) at position \(position)\n")
                case .duplicate(let position):
                    try Terminal.standardOutput(
                        "duplicate \(event.eventID.lowercasedString) already at position \(position)\n")
                }
            }
        }
    }
}
