import ArgumentParser
import EnrollmentDomain
import EventStore
import Export
import Foundation

extension EnrollAudit {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export raw events with position, recorded_at and hash.",
            discussion: """
                NDJSON re-ingests into another store as is, and `verify --file` recomputes its chain offline. \
                --since/--until filter on occurred_at. With --lz4 the output is an LZ4 frame (`lz4 -d` reads it).
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Output format: ndjson, csv or json.")
        var format: ExportFormat = .ndjson

        @Option(help: ArgumentHelp("Only events that occurred at or after this time.", valueName: "time"))
        var since: TimeArgument?

        @Option(help: ArgumentHelp("Only events that occurred before this time.", valueName: "time"))
        var until: TimeArgument?

        @Option(help: ArgumentHelp("Only events of this type (repeatable).", valueName: "type"))
        var type: [String] = []

        @Flag(help: "Compress the output as an LZ4 frame (read it with lz4 -d).")
        var lz4 = false

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(help: ArgumentHelp("Start after this position.", valueName: "n"))
        var after: Int64 = 0

        func run() throws {
            let store = try storeOptions.openForReading()
            let handle = try OutputFile.open(output)
            let sink = try ByteSink(handle: handle, lz4: lz4)
            let types = Set(type)
            let since = since?.timestamp.milliseconds ?? .min
            let until = until?.timestamp.milliseconds ?? .max
            try EventExporter(format: format.value).export(from: store, after: after, to: sink) { event in
                let time = event.event.occurredAt.milliseconds
                return time >= since && time < until && (types.isEmpty || types.contains(event.event.type))
            }
            if output != nil { try handle.close() }
        }
    }

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv, json

        var value: EventExporter.Format { EventExporter.Format(rawValue: rawValue)! }
    }
}

/// Opens `-o FILE` (created 0600: exports hold personal data), or standard output.
enum OutputFile {
    static func open(_ path: String?) throws -> FileHandle {
        guard let path, path != "-" else { return .standardOutput }
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIFailure(.badInput, "error: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
