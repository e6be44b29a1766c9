import EnrollmentDomain
import EventStore

/// Writes stored events in an output format, streaming, in position order.
public struct EventExporter {
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
        var count = 0
        try begin(sink)
        try store.forEachEvent(after: position) { event in
            if event.position & 0xFFFF == 0 { progress?(event.position) }
            guard include(event) else { return true }
            try write(event, index: count, to: sink)
            count += 1
            return true
        }
        try end(sink, count: count)
        try sink.finish()
        return count
    }

    /// Writes the events of a sequence (e.g. one enrollment's), in the order given.
    @discardableResult
    public func export(_ events: some Sequence<RecordedEvent>, to sink: ByteSink) throws -> Int {
        var count = 0
        try begin(sink)
        for event in events {
            try write(event, index: count, to: sink)
            count += 1
        }
        try end(sink, count: count)
        try sink.finish()
        return count
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
