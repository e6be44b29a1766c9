import EnrollmentDomain
import EventStore
import Foundation
import LZ4

/// How an ingest treats bad records and transactions.
public struct IngestOptions: Sendable {
    /// The input format; `nil` detects it per input from its first line. The default is `nil`.
    public var format: InputFormat?
    /// Where bad records go. `nil` (the default) makes the ingest strict: one bad record and nothing is
    /// stored. With a path, good records are stored and bad ones written there with line and reason.
    public var rejectFile: String?
    /// Commit every this many records instead of once at the end. `nil` (the default): one transaction
    /// for a strict ingest, batches of 10,000 records in reject-file mode.
    public var commitEvery: Int?
    /// How many bad records a failed strict ingest lists. The default is 50.
    public var listLimit = 50
    /// The longest input line accepted, in bytes. The default is 8 MiB.
    public var maximumLineLength = 8 << 20
    /// The key of NanoMDM `url_params` that carries the attempt id. The default is `attempt`.
    public var attemptParameter = "attempt"
    /// The format of access-log inputs. `nil` (the default) tells it from each log's first line; a line
    /// this format reads also makes an input an access log when the format is detected.
    public var logFormat: AccessLogFormat?
    /// How many records the worker thread decodes and prepares ahead of the writer. The memory this holds
    /// is bounded by twice this many records (the queue and the batch the writer took). The default is 4,096.
    public var readAhead = 4_096
    /// Whether the worker thread also prepares each event (validation, canonical JSON, LZ4, the parts of
    /// both hashes that need no position: ``EventPreparer``), leaving the writer thread only the chain, the
    /// tree and the SQLite writes. `false` leaves that work to the writer: one core less busy. The default
    /// is `true`.
    public var prepareAhead = true

    public init() {}
}

/// Streams inputs into a store: decode, validate, append, count. SQLite appends record by record in one
/// write transaction (``run(_:into:)``); another backend a batch at a time (``run(_:appending:)``).
public struct IngestRunner {
    public var options: IngestOptions
    /// Called now and then with the number of records read so far.
    public var progress: ((Int) -> Void)?

    public init(options: IngestOptions = IngestOptions(), progress: ((Int) -> Void)? = nil) {
        self.options = options
        self.progress = progress
    }

    /// The decoder for a format.
    public func decoder(for format: InputFormat) -> any InputDecoder {
        Decoders.make(format, options: options)
    }

    /// Ingests `inputs` into `store`.
    ///
    /// - Returns: the counts, per source format and in total.
    /// - Throws: ``IngestError`` when a strict ingest met bad records (nothing of it is stored; with
    ///   `commitEvery`, batches committed before the bad one stay), I/O errors, or store errors.
    public func run(_ inputs: [IngestInput], into store: SQLiteEventStore) throws -> IngestSummary {
        let stream = recordStream(inputs)
        var state = try State(options: options)
        defer { try? state.rejectHandle?.commit() }
        let batchSize = state.batchSize
        let records = RecordPrefetcher(
            stream, capacity: options.readAhead, preparer: options.prepareAhead ? store.makePreparer() : nil)
        records.start()
        defer { records.stop() }
        var finished = false
        var recordsRead = 0
        while !finished {
            do {
                try store.write { appender in
                    var inBatch = 0
                    while inBatch < batchSize {
                        guard let (input, format, record, prepared) = try records.next() else {
                            finished = true
                            break
                        }
                        try state.handle(record, prepared, input: input, format: format, appender: appender)
                        inBatch += 1
                        recordsRead += 1
                        if recordsRead % 65_536 == 0 { progress?(recordsRead) }
                    }
                    try state.rejectHandle?.synchronize()
                    if state.isStrict && state.totalRejected > 0 {
                        throw state.failure(fatal: nil)
                    }
                    state.commitBatch()
                }
            } catch {
                throw state.failure(error, reading: records.currentName)
            }
        }
        return state.summary
    }

    /// The records of `inputs`, decoded per their format (given, or detected from each input's first line).
    func recordStream(_ inputs: [IngestInput]) -> RecordStream {
        let options = self.options
        return RecordStream(
            inputs: inputs, format: options.format, maximumLineLength: options.maximumLineLength,
            detect: { line in
                if let logFormat = options.logFormat, case .matched = logFormat.match(line) { return .accessLog }
                return FormatDetector.detect(line)
            },
            makeDecoder: { Decoders.make($0, options: options) })
    }
}

struct State {
    let options: IngestOptions
    var summary = IngestSummary()
    /// Counts of the open transaction, folded into `summary` at commit.
    var batch: [String: IngestSummary.Counts] = [:]
    var listed: [RejectedRecord] = []
    var totalRejected = 0
    var rejectHandle: OutputFile?
    var isStrict: Bool { options.rejectFile == nil }

    /// Opens the reject file, if any: written as it goes (the rejects of committed batches are kept), 0600,
    /// since it holds raw records.
    init(options: IngestOptions) throws {
        self.options = options
        if let path = options.rejectFile {
            rejectHandle = try OutputFile(path: path, replacing: true, inPlace: true)
            summary.rejectFile = path
        }
    }

    /// Records per transaction: `commitEvery`, else one transaction (strict) or 10,000 (reject file).
    var batchSize: Int { options.commitEvery ?? (options.rejectFile == nil ? Int.max : 10_000) }

    /// What an ingest throws for `error` met during a batch: the ingest's own failures with what was
    /// committed, the store's and the reject file's as they are (the tool's or the disk's failure, not the
    /// input's), and any other (reading the input failed: I/O, a damaged .lz4 frame; not about one record)
    /// as a fatal failure naming the input being read.
    func failure(_ error: any Error, reading input: String) -> any Error {
        switch error {
        case var error as IngestError:
            error.committed = summary.total
            return error
        case is EventStoreError, is OutputError:
            return error
        default:
            let reason =
                (error as? LZ4Error)?.description ?? (error as? UTF16Transcoder.Failure)?.description
                ?? error.localizedDescription
            var fatal = failure(fatal: "\(input): \(reason)")
            fatal.committed = summary.total
            return fatal
        }
    }

    /// Counts a record read, and one skipped or rejected by its decoder; the events of one that has some.
    mutating func events(of record: DecodedRecord, input: String, format: InputFormat) throws -> [NewEvent]? {
        batch[format.rawValue, default: IngestSummary.Counts()].records += 1
        if let note = record.note { summary.note(note, source: format.rawValue) }
        switch record.outcome {
        case .skipped(let reason):
            batch[format.rawValue, default: IngestSummary.Counts()].skipped += 1
            summary.skipped(reason, at: "\(input):\(record.line)", source: format.rawValue)
            return nil
        case .rejected(let reason):
            batch[format.rawValue, default: IngestSummary.Counts()].rejected += 1
            try reject(record, input: input, reason: reason)
            return nil
        case .events(let events):
            return events
        }
    }

    mutating func handle(
        _ record: DecodedRecord, _ prepared: [PreparedEvent], input: String, format: InputFormat,
        appender: EventAppender
    ) throws {
        guard let events = try events(of: record, input: input, format: format) else { return }
        var counts = batch[format.rawValue, default: IngestSummary.Counts()]
        defer { batch[format.rawValue] = counts }
        let prepared = prepared.isEmpty ? events.map(appender.prepare) : prepared
        // A strict ingest that already failed only keeps checking the rest, to list every bad record.
        if isStrict && totalRejected > 0 {
            for reason in prepared.compactMap(\.invalidReason) {
                counts.rejected += 1
                try reject(record, input: input, reason: reason)
            }
            return
        }
        do {
            for outcome in try appender.appendAll(prepared) {
                switch outcome {
                case .appended: counts.appended += 1
                case .duplicate: counts.duplicates += 1
                }
            }
        } catch let error as EventStoreError where error.code == .eventIDConflict && record.keyedBySourceID {
            // The source restated a fact it already gave (same id, other fields): the first is kept.
            counts.duplicates += events.count
            counts.restated += events.count
        } catch let error as EventStoreError where error.code == .eventIDConflict || error.code == .invalidEvent {
            counts.rejected += 1
            try reject(record, input: input, reason: error.description)
        }
    }

    mutating func reject(_ record: DecodedRecord, input: String, reason: String) throws {
        totalRejected += 1
        let rejected = RejectedRecord(file: input, line: record.line, reason: reason)
        if listed.count < options.listLimit { listed.append(rejected) }
        if let rejectHandle {
            var bytes = Array("# \(rejected.description.replacingOccurrences(of: "\n", with: " "))\n".utf8)
            bytes += record.raw
            bytes.append(0x0A)
            try rejectHandle.write(bytes)
        }
    }

    mutating func commitBatch() {
        for (source, counts) in batch {
            summary.sources[source, default: IngestSummary.Counts()].add(counts)
            summary.total.add(counts)
        }
        batch.removeAll()
    }

    func failure(fatal: String?) -> IngestError {
        IngestError(rejected: listed, totalRejected: totalRejected, fatal: fatal)
    }
}
