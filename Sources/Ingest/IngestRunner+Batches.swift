import EnrollmentDomain
import EventStore

extension IngestRunner {
    /// Ingests `inputs` through `append`, which stores one batch of events all or nothing (a backend with
    /// no savepoint per record, PostgreSQL's ``EventLog/append(_:expectedVersions:)``), with the outcomes
    /// as ``run(_:into:)`` gives them: the same counts, rejects and failures.
    ///
    /// A batch is `commitEvery` records (in reject-file mode 10,000 by default); a strict ingest without
    /// `commitEvery` is one batch, held in memory until it is appended. Each event is validated before the
    /// append, so an invalid one rejects its record only. When the append refuses an event id stored with
    /// other content, the record is taken out and the rest appended again: a restatement by the source
    /// (``DecodedRecord/keyedBySourceID``) counts as duplicates, anything else is rejected.
    public func run(_ inputs: [IngestInput], appending append: ([NewEvent]) throws -> [AppendOutcome]) throws
        -> IngestSummary
    {
        let stream = recordStream(inputs)
        var state = try State(options: options)
        defer { try? state.rejectHandle?.commit() }
        let batchSize = state.batchSize
        let records = RecordPrefetcher(stream, capacity: options.readAhead, preparer: nil)
        records.start()
        defer { records.stop() }
        var finished = false
        var recordsRead = 0
        while !finished {
            do {
                var pending: [PendingRecord] = []
                var inBatch = 0
                while inBatch < batchSize {
                    guard let (input, format, record, _) = try records.next() else {
                        finished = true
                        break
                    }
                    if let events = try state.admit(record, input: input, format: format) {
                        pending.append(PendingRecord(record: record, input: input, format: format, events: events))
                    }
                    inBatch += 1
                    recordsRead += 1
                    if recordsRead % 65_536 == 0 { progress?(recordsRead) }
                }
                try state.rejectHandle?.synchronize()
                if state.isStrict && state.totalRejected > 0 { throw state.failure(fatal: nil) }
                try state.append(&pending, with: append)
                state.commitBatch()
            } catch {
                throw state.failure(error, reading: records.currentName)
            }
        }
        return state.summary
    }
}

/// A record of a batch whose events wait for the batch's append.
struct PendingRecord {
    let record: DecodedRecord
    let input: String
    let format: InputFormat
    let events: [NewEvent]
}

extension State {
    /// Counts a record as ``handle(_:_:input:format:appender:)`` does, and returns its events when they are
    /// all valid and are to be appended (an invalid one rejects the record).
    mutating func admit(_ record: DecodedRecord, input: String, format: InputFormat) throws -> [NewEvent]? {
        guard let events = try events(of: record, input: input, format: format) else { return nil }
        var counts = batch[format.rawValue, default: IngestSummary.Counts()]
        defer { batch[format.rawValue] = counts }
        var invalid: [String] = []
        for event in events {
            do {
                try event.validateData()
            } catch {
                invalid.append(
                    EventStoreError(
                        .invalidEvent, error.description, stream: event.stream,
                        eventID: event.eventID.lowercasedString
                    ).description)
            }
        }
        // Strict and already failed: only keep checking, to list every bad record (as on SQLite, the
        // first invalid event of a record rejects it; a failed strict ingest lists each).
        if isStrict && totalRejected > 0 {
            for reason in invalid {
                counts.rejected += 1
                try reject(record, input: input, reason: reason)
            }
            return nil
        }
        if let reason = invalid.first {
            counts.rejected += 1
            try reject(record, input: input, reason: reason)
            return nil
        }
        return events
    }

    /// Appends the batch's events in one call; a record whose event id conflicts is taken out (restated or
    /// rejected) and the rest appended again. Counts what was appended and what were duplicates.
    mutating func append(_ pending: inout [PendingRecord], with append: ([NewEvent]) throws -> [AppendOutcome])
        throws
    {
        while !pending.isEmpty {
            let events = pending.flatMap(\.events)
            let outcomes: [AppendOutcome]
            do {
                outcomes = try append(events)
            } catch let error as EventStoreError where error.code == .eventIDConflict {
                guard let id = error.eventID,
                    // The later of two records of the batch holding the id is the one that conflicts.
                    let index = pending.lastIndex(where: { $0.events.contains { $0.eventID.lowercasedString == id } })
                else { throw error }
                let record = pending.remove(at: index)
                var counts = batch[record.format.rawValue, default: IngestSummary.Counts()]
                if record.record.keyedBySourceID {
                    counts.duplicates += record.events.count
                    counts.restated += record.events.count
                } else {
                    counts.rejected += 1
                    try reject(record.record, input: record.input, reason: error.description)
                }
                batch[record.format.rawValue] = counts
                // Strict: the append rolled back, so nothing of the batch is stored; it fails here.
                if isStrict && totalRejected > 0 { throw failure(fatal: nil) }
                continue
            }
            var next = outcomes.makeIterator()
            for record in pending {
                var counts = batch[record.format.rawValue, default: IngestSummary.Counts()]
                for _ in record.events {
                    switch next.next() {
                    case .appended?: counts.appended += 1
                    case .duplicate?: counts.duplicates += 1
                    case nil: break
                    }
                }
                batch[record.format.rawValue] = counts
            }
            return
        }
    }
}
