/// What an ingest did, per input format and in total.
public struct IngestSummary: Sendable, Codable, Hashable {
    /// Counts for one source format.
    public struct Counts: Sendable, Codable, Hashable {
        /// Input records read (lines, or Graph events).
        public var records = 0
        /// Events stored.
        public var appended = 0
        /// Events already stored with identical content.
        public var duplicates = 0
        /// Of the duplicates, events whose source restated an id already stored with other content (Graph's
        /// `/v1.0` and `/beta` forms of one event): the event stored first is kept.
        public var restated = 0
        /// Records refused (bad input); in reject-file mode, written to the reject file.
        public var rejected = 0
        /// Records deliberately not turned into events (blank lines, other URL paths).
        public var skipped = 0

        public init() {}

        mutating func add(_ other: Counts) {
            records += other.records
            appended += other.appended
            duplicates += other.duplicates
            restated += other.restated
            rejected += other.rejected
            skipped += other.skipped
        }
    }

    /// The skipped records of one reason: how many, and where the first few are.
    public struct Skips: Sendable, Codable, Hashable {
        /// How many records were skipped for this reason.
        public var count = 0
        /// The first ``IngestSummary/examplesKept`` of them, as `FILE:LINE`.
        public var first: [String] = []
    }

    /// How many skipped records of each reason the summary names. The default is 3.
    public static let examplesKept = 3

    /// Totals over all inputs.
    public var total = Counts()
    /// Counts per source format (`native`, `nanomdm`, …).
    public var sources: [String: Counts] = [:]
    /// Skipped records per source format and reason (`another path`, `not an HTTP request`, …).
    public var skips: [String: [String: Skips]] = [:]
    /// What the summary should say about a source, once each: e.g. that a log format has no Content-Type.
    public var notes: [String: [String]] = [:]
    /// Whether anything was committed (false when a strict ingest found bad records).
    public var committed = true
    /// The reject file, when one was used.
    public var rejectFile: String?

    public init() {}

    mutating func skipped(_ reason: String, at place: String, source: String) {
        var skips = self.skips[source, default: [:]][reason, default: Skips()]
        skips.count += 1
        if skips.first.count < Self.examplesKept { skips.first.append(place) }
        self.skips[source, default: [:]][reason] = skips
    }

    mutating func note(_ note: String, source: String) {
        if !notes[source, default: []].contains(note) { notes[source, default: []].append(note) }
    }
}

/// One refused input record: where it is and why.
public struct RejectedRecord: Sendable, Hashable, CustomStringConvertible {
    /// The input's name (`-` for standard input).
    public var file: String
    /// The one-based line number.
    public var line: Int
    /// Why, naming the field.
    public var reason: String

    public var description: String { "\(file):\(line): \(reason)" }
}

/// A strict ingest found bad records, or reading an input failed: nothing of the failed batch was stored;
/// with `--commit-every`, the batches committed before it stay, and ``committed`` counts them.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    /// The bad records, up to the listing limit.
    public var rejected: [RejectedRecord]
    /// How many bad records there were in all.
    public var totalRejected: Int
    /// Where reading stopped on an I/O or format error that is not about one record, if any.
    public var fatal: String?
    /// What the batches committed before the failure hold (`commitEvery`); zero counts when nothing was.
    public var committed = IngestSummary.Counts()

    public init(rejected: [RejectedRecord], totalRejected: Int, fatal: String?) {
        self.rejected = rejected
        self.totalRejected = totalRejected
        self.fatal = fatal
    }

    /// What was stored, in words: nothing, or what the committed batches hold.
    public var storedSummary: String {
        guard committed.records > 0 else { return "nothing was stored" }
        return "the batches committed before it stay stored (\(committed.records) records: \(committed.appended) "
            + "appended, \(committed.duplicates) duplicates); nothing after them was stored"
    }

    public var description: String { lines.joined(separator: "\n") }

    /// The description's lines: the reason, then one line per listed bad record.
    public var lines: [String] {
        var lines: [String] = []
        if let fatal { lines.append(totalRejected > 0 ? fatal : "\(fatal); \(storedSummary)") }
        if totalRejected > 0 {
            lines.append("\(totalRejected) bad record\(totalRejected == 1 ? "" : "s"); \(storedSummary):")
            lines += rejected.map { "  \($0)" }
            if totalRejected > rejected.count { lines.append("  … and \(totalRejected - rejected.count) more") }
        }
        return lines
    }
}
