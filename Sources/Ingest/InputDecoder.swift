import EnrollmentDomain

/// One input record after decoding: the events it yields, or why it was refused or skipped.
public struct DecodedRecord {
    /// What became of the record.
    public enum Outcome {
        /// Events to append (one record may yield several, e.g. a check-in and an identity link).
        case events([NewEvent])
        /// Deliberately not an event (another URL path in an access log, a blank line): counted, not an error.
        case skipped(reason: String)
        /// Refused: the reason names the field.
        case rejected(reason: String)
    }

    /// The one-based line the record starts on.
    public var line: Int
    /// The record's original bytes, written verbatim to a reject file.
    public var raw: [UInt8]
    public var outcome: Outcome
    /// Something the summary should say about the input once, e.g. that its log format has no
    /// Content-Type.
    public var note: String?
    /// Whether the events' ids are the source's own ids (Graph's `id`): then the same id with other content
    /// is a restatement of the same fact (the `/v1.0` and `/beta` forms of one event), kept once and
    /// counted as a duplicate, not a conflict.
    public var keyedBySourceID = false

    public init(line: Int, raw: [UInt8], outcome: Outcome) {
        self.line = line
        self.raw = raw
        self.outcome = outcome
    }
}

/// Turns the lines of one input format into records. A decoder sees every line of one input, in order;
/// formats whose records span lines (a pretty-printed Graph page) buffer them until complete.
public protocol InputDecoder: AnyObject {
    /// The format's name in summaries, e.g. `native`.
    var format: InputFormat { get }
    /// Decodes one line (without its line ending).
    func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord]
    /// Called at the end of input: returns records still buffered (or an error for an incomplete one).
    func finish() -> [DecodedRecord]
}

/// A decoder that reads a line longer than the line limit in pieces, in bounded memory (a compact Graph
/// page of any size).
protocol StreamingDecoder: InputDecoder {
    /// Decodes one piece of an over-long line; `first` and `last` say which.
    func feedPiece(_ piece: [UInt8], lineNumber: Int, first: Bool, last: Bool) -> [DecodedRecord]
}

/// The input formats `ingest` understands.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
    /// The store's own NDJSON event lines (docs/events.md, "The envelope"), including its exports.
    case native
    /// NanoMDM / MicroMDM webhook bodies, one per line.
    case nanomdm
    /// Microsoft Graph `deviceManagement/troubleshootingEvents` responses.
    case graph
    /// nginx/Apache access logs of `/.well-known/com.apple.remotemanagement`.
    case accessLog = "access-log"
}
