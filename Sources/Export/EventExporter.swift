import EnrollmentDomain
import EventStore

/// Writes stored events in an output format, streaming.
public struct EventExporter {
    /// The output formats of `export`.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case ndjson
    }

    public var format: Format

    public init(format: Format) {
        self.format = format
    }

    /// Writes every event `store` yields after `position`, in position order.
    ///
    /// - Returns: how many events were written.
    @discardableResult
    public func export(
        from store: SQLiteEventStore, after position: Int64 = 0, to sink: ByteSink,
        where include: (RecordedEvent) -> Bool = { _ in true }
    ) throws -> Int {
        var count = 0
        var line: [UInt8] = []
        try store.forEachEvent(after: position) { event in
            guard include(event) else { return true }
            line.removeAll(keepingCapacity: true)
            event.exportJSON.write(to: &line)
            line.append(0x0A)
            try sink.write(line)
            count += 1
            return true
        }
        try sink.finish()
        return count
    }
}
