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

        @Option(help: "The output format.")
        var format: ExportFormat = .ndjson

        @Option(help: ArgumentHelp("Only the events of the enrollment this id names (any known id).", valueName: "id"))
        var id: String?

        @Option(
            help: ArgumentHelp("Only the events of this user's enrollments (UPN or Entra user id).", valueName: "upn"))
        var user: String?

        @Option(help: ArgumentHelp("Only events that occurred at or after this time.", valueName: "time"))
        var since: TimeArgument?

        @Option(help: ArgumentHelp("Only events that occurred before this time.", valueName: "time"))
        var until: TimeArgument?

        @Option(help: ArgumentHelp("Only events of this type (repeatable).", valueName: "type"))
        var type: [String] = []

        @Flag(help: "Compress the output as an LZ4 frame (read it with lz4 -d).")
        var lz4 = false

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")
        )
        var output: String?

        @Option(help: ArgumentHelp("Start after this position.", valueName: "n"))
        var after: Int64 = 0

        func validate() throws {
            if id != nil && user != nil { throw ValidationError("give --id or --user, not both") }
        }

        func run() throws {
            let types = Set(type)
            let since = since?.timestamp.milliseconds ?? .min
            let until = until?.timestamp.milliseconds ?? .max
            func include(_ event: RecordedEvent) -> Bool {
                let time = event.event.occurredAt.milliseconds
                return event.position > after && time >= since && time < until
                    && (types.isEmpty || types.contains(event.event.type))
            }
            let exporter = EventExporter(format: format.value)
            guard let subject = id ?? user else {
                let store = try storeOptions.openForReading()
                let handle = try OutputFile.open(output)
                try exporter.export(
                    from: store, after: after, to: try ByteSink(handle: handle, lz4: lz4),
                    progress: Terminal.progress("exporting, position"), where: include)
                Terminal.endProgress()
                if output != nil { try handle.close() }
                return
            }
            // One enrollment (or a user's): the events of every linked stream, in position order.
            let queries = try storeOptions.openQueries()
            let statuses = try queries.requireEnrollments(matching: subject)
            let streams = Set(statuses.flatMap { $0.ids.filter { $0.kind == .stream }.map(\.value) })
            let events = try streams.flatMap { try queries.store.events(inStream: $0) }.filter(include)
                .sorted { $0.position < $1.position }
            let handle = try OutputFile.open(output)
            try exporter.export(events, to: try ByteSink(handle: handle, lz4: lz4))
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
