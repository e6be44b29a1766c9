import ArgumentParser
import EventStore
import Export
import Foundation

extension EnrollAudit {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export raw events with position, recorded_at and hash.",
            discussion: "The output re-ingests into another store as is.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Output format: ndjson.")
        var format: ExportFormat = .ndjson

        @Flag(help: "Compress the output as an LZ4 frame (read it with lz4 -d).")
        var lz4 = false

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")
        )
        var output: String?

        @Option(help: ArgumentHelp("Start after this position.", valueName: "n"))
        var after: Int64 = 0

        func run() throws {
            let store = try storeOptions.openForReading()
            let handle: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil),
                    let file = FileHandle(forWritingAtPath: output)
                else { throw CLIFailure(.badInput, "error: cannot create \(output)") }
                handle = file
            } else {
                handle = .standardOutput
            }
            let sink = try ByteSink(handle: handle, lz4: lz4)
            try EventExporter(format: format.value).export(from: store, after: after, to: sink)
            if output != nil { try handle.close() }
        }
    }

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson

        var value: EventExporter.Format { .ndjson }
    }
}
