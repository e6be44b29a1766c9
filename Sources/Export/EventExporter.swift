import EnrollmentDomain
import EventStore

/// Writes stored events in an output format, streaming, in position order.
public struct EventExporter: Sendable {
    /// The output formats of `export`.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line: the form that re-ingests and that `verify --file` checks.
        case ndjson
        /// RFC 4180 CSV with a header; `data` is a JSON text column.
        case csv
        /// One JSON array of the same objects as `ndjson`.
        case json
    }

    /// The CSV columns, in order.
    public static let csvColumns = [
        "position", "event_id", "stream", "version", "type", "schema", "occurred_at", "recorded_at", "source", "user",
        "correlation_id", "hash", "data",
    ]

    public var format: Format
    /// Whether CSV cells that a spreadsheet would evaluate get a leading `'` (``CSV``). The default is `true`.
    public var neutralizesCSVFormulas = true

    public init(format: Format, neutralizesCSVFormulas: Bool = true) {
        self.format = format
        self.neutralizesCSVFormulas = neutralizesCSVFormulas
    }

    /// Writes every event `store` yields after `position` that `include` accepts, then finishes `sink`.
    ///
    /// - Returns: how many events were written.
    @discardableResult
    public func export(
        from store: SQLiteEventStore, after position: Int64 = 0, to sink: ByteSink,
        progress: ((Int64) -> Void)? = nil, where include: (RecordedEvent) -> Bool = { _ in true }
    ) throws -> Int {
        let session = try Session(self, sink)
        try store.forEachEvent(after: position) { event in
            if event.position & 0xFFFF == 0 { progress?(event.position) }
            if include(event) { try session.add(event) }
            return true
        }
        return try session.finish()
    }

    /// Writes every event of `log` (either backend) after `position` that `include` accepts, reading it in
    /// pages, then finishes `sink`.
    ///
    /// - Returns: how many events were written.
    @discardableResult
    public func export(
        from log: any EventLog, after position: Int64 = 0, to sink: ByteSink,
        where include: (RecordedEvent) -> Bool = { _ in true }
    ) async throws -> Int {
        let session = try Session(self, sink)
        try await log.forEachPage(after: position) { page in
            for event in page where include(event) { try session.add(event) }
            return true
        }
        return try session.finish()
    }

    /// Writes the events of a sequence (e.g. one enrollment's), in the order given.
    @discardableResult
    public func export(_ events: some Sequence<RecordedEvent>, to sink: ByteSink) throws -> Int {
        let session = try Session(self, sink)
        for event in events { try session.add(event) }
        return try session.finish()
    }

    /// One export in progress: the header written first, the events counted, the footer at the end.
    private final class Session {
        let exporter: EventExporter
        let sink: ByteSink
        var count = 0

        init(_ exporter: EventExporter, _ sink: ByteSink) throws {
            self.exporter = exporter
            self.sink = sink
            try exporter.begin(sink)
        }

        func add(_ event: RecordedEvent) throws {
            try exporter.write(event, index: count, to: sink)
            count += 1
        }

        /// Writes the footer and finishes the sink; returns how many events were written.
        func finish() throws -> Int {
            try exporter.end(sink, count: count)
            try sink.finish()
            return count
        }
    }

    private func begin(_ sink: ByteSink) throws {
        switch format {
        case .csv: try sink.write(CSV.record(Self.csvColumns))
        case .json: try sink.write("[")
        case .ndjson: break
        }
    }

    private func write(_ event: RecordedEvent, index: Int, to sink: ByteSink) throws {
        var line: [UInt8] = []
        switch format {
        case .ndjson:
            event.exportJSON.write(to: &line)
            line.append(0x0A)
        case .json:
            line.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
            event.exportJSON.write(to: &line)
        case .csv:
            let fields = [
                String(event.position), event.event.eventID.lowercasedString, event.event.stream, String(event.version),
                event.event.type, String(event.event.schema), event.event.occurredAt.iso8601,
                event.recordedAt.iso8601, event.event.source, event.event.user ?? "", event.event.correlationID ?? "",
                event.hashHex, JSONValue.object(event.event.data).canonicalString,
            ]
            line.append(contentsOf: CSV.record(fields, neutralizingFormulas: neutralizesCSVFormulas).utf8)
        }
        try sink.write(line)
    }

    private func end(_ sink: ByteSink, count: Int) throws {
        if format == .json { try sink.write(count == 0 ? "]\n" : "\n]\n") }
    }
}
