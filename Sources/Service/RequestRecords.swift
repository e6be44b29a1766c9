import EnrollmentDomain
import Ingest

/// The records of one ingest request body, decoded with the `ingest` decoders: the events to store, or the
/// bad records with their line numbers.
struct RequestRecords: Sendable {
    /// Every event of every good record, in order, with the line each came from.
    var events: [NewEvent] = []
    var lines: [Int] = []
    var records = 0
    var skipped = 0
    var rejected: [Problem.Item] = []
    var totalRejected = 0

    /// How many bad records a 422 lists.
    static let listLimit = 50

    /// Decodes an NDJSON (or other line-based) body, one record per line.
    ///
    /// - Parameters:
    ///   - format: the format, or `nil` to detect it from the first line that is not blank.
    ///   - attemptParameter: NanoMDM's `url_params` key that carries the attempt id.
    init(lines body: [UInt8], format: InputFormat?, attemptParameter: String) {
        var options = IngestOptions()
        options.attemptParameter = attemptParameter
        let runner = IngestRunner(options: options)
        var decoder = format.map(runner.decoder(for:))
        var lineNumber = 0
        var start = body.startIndex
        while start < body.endIndex {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.endIndex
            var line = Array(body[start..<end])
            if line.last == 0x0D { line.removeLast() }
            lineNumber += 1
            start = end < body.endIndex ? end + 1 : end
            if decoder == nil {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    records += 1
                    skipped += 1
                    continue
                }
                guard let detected = FormatDetector.detect(line) else {
                    records += 1
                    reject(line: lineNumber, "unrecognised input format (name it with ?from=)")
                    continue
                }
                decoder = runner.decoder(for: detected)
            }
            for record in decoder!.feed(line, lineNumber: lineNumber) { add(record) }
        }
        for record in decoder?.finish() ?? [] { add(record) }
    }

    /// Decodes one webhook body: a single JSON document. Line breaks between its tokens (a pretty-printed
    /// body) are read as spaces, which JSON allows, so it is one record on line 1.
    init(webhook body: [UInt8], attemptParameter: String) {
        var line = body
        while let last = line.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { line.removeLast() }
        for index in line.indices where line[index] == 0x0A || line[index] == 0x0D { line[index] = 0x20 }
        self.init(lines: line, format: .nanomdm, attemptParameter: attemptParameter)
        if records == 0 { reject(line: 1, "the body is empty: expected one webhook JSON object") }
    }

    private mutating func add(_ record: DecodedRecord) {
        records += 1
        switch record.outcome {
        case .skipped:
            skipped += 1
        case .rejected(let reason):
            reject(line: record.line, reason)
        case .events(let decoded):
            for event in decoded {
                do {
                    try event.validateData()
                } catch {
                    reject(line: record.line, error.description)
                    return
                }
            }
            events += decoded
            lines += Array(repeating: record.line, count: decoded.count)
        }
    }

    private mutating func reject(line: Int, _ reason: String) {
        totalRejected += 1
        if rejected.count < Self.listLimit { rejected.append(Problem.Item(line: line, reason: reason)) }
    }

    /// The line of the event with this id, for an error the store reports after decoding.
    func line(ofEvent id: String?) -> Int {
        guard let id else { return 1 }
        return zip(events, lines).first { $0.0.eventID.lowercasedString == id }?.1 ?? 1
    }
}
