/// Cuts a stream of lines into JSON documents: one per line (NDJSON) or spread over many lines
/// (pretty-printed), in bounded memory.
///
/// It tracks the nesting of `{}`/`[]` outside strings, so it knows where a document ends without
/// re-parsing, and it notes where each object at ``elementDepth`` starts and ends, so a page's events
/// can be reported with their own line numbers and bytes. Damage is contained: a string cannot span
/// lines, and a line starting with `{` or `[` where the open document cannot take a value starts a new
/// document, so one truncated line does not swallow the records after it.
struct JSONDocumentSplitter {
    /// A complete document (not yet parsed).
    struct Document {
        /// The line it starts on.
        var line: Int
        /// Its lines, joined with `\n`.
        var bytes: [UInt8]
        /// The objects found at ``elementDepth``, in order: their first line and byte range in `bytes`.
        var elements: [(line: Int, range: Range<Int>)]
        /// How many objects at ``elementDepth`` were handed out as ``Piece/element(line:raw:index:)``
        /// while the document streamed; each is `{}` in `bytes`.
        var streamed = 0
    }

    enum Piece {
        case document(Document)
        /// A line that is blank between documents.
        case blank(line: Int, raw: [UInt8])
        /// A document that cannot be complete, or a line that cannot start one.
        case broken(line: Int, raw: [UInt8], reason: String)
        /// An object at ``elementDepth`` of a document read in pieces, handed out as soon as it is complete
        /// (`index`: its place among the document's elements).
        case element(line: Int, raw: [UInt8], index: Int)
    }

    /// The largest document buffered, in bytes; larger ones are refused and skipped to their end.
    let maximumSize: Int

    private var open = false
    /// Whether a document is open (started on an earlier line and not yet complete).
    var isOpen: Bool { open }
    private var oversized = false
    private var line = 0
    private var bytes: [UInt8] = []
    private var stack: [UInt8] = []
    private var inString = false
    private var escaped = false
    private var complete = false
    private var lastSignificant: UInt8 = 0
    private var elements: [(line: Int, range: Range<Int>)] = []
    private var elementStart: (line: Int, offset: Int)?
    /// Whether the open document is being read in pieces (a line longer than the line limit).
    private var streaming = false
    private var streamed = 0
    /// Whether the rest of the line in pieces is ignored (it could not start a document).
    private var ignoringLine = false

    init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    /// The nesting depth (counting the document's own container as 1) of the objects noted in
    /// ``Document/elements``: 3 for a page's events (`{"value":[{…}]}`), 4 in an array of pages.
    private var elementDepth: Int { stack.first == UInt8(ascii: "[") ? 4 : 3 }

    /// Feeds one line (without its line ending).
    mutating func feed(_ text: [UInt8], lineNumber: Int) -> [Piece] {
        feedPiece(text, lineNumber: lineNumber, first: true, last: true)
    }

    /// Feeds a piece of a line (`first` and `last` say which): a line longer than the line limit arrives
    /// in pieces, and its document's elements are then handed out as they complete and cut from the
    /// document, so a page of any size is read in the memory of its largest event.
    mutating func feedPiece(_ text: [UInt8], lineNumber: Int, first isFirst: Bool, last: Bool) -> [Piece] {
        var pieces: [Piece] = []
        if isFirst {
            ignoringLine = false
            guard begin(text, lineNumber: lineNumber, into: &pieces) else {
                ignoringLine = !last
                return pieces
            }
        } else if ignoringLine {
            ignoringLine = !last
            return []
        }
        if !(isFirst && last) { streaming = true }
        scan(text, lineNumber: lineNumber)
        if streaming, !oversized { handOutElements(into: &pieces) }
        if !oversized, bytes.count > maximumSize {
            // Report it now, then keep following its nesting (without its bytes) to find where it ends.
            pieces.append(
                .broken(
                    line: line, raw: Array(bytes.prefix(1 << 20)),
                    reason: "JSON document starting at line \(line) is larger than \(maximumSize >> 20) MiB"))
            oversized = true
            bytes = []
            elements = []
        }
        guard last else { return pieces }
        if inString {
            abandon("truncated JSON document starting at line \(line): a string does not end", into: &pieces)
        } else if complete {
            if !oversized {
                pieces.append(.document(Document(line: line, bytes: bytes, elements: elements, streamed: streamed)))
            }
            reset()
        }
        return pieces
    }

    /// The start of a line: a new document, or more of the open one. `false` when the line is blank or
    /// broken between documents (reported in `pieces`).
    private mutating func begin(_ text: [UInt8], lineNumber: Int, into pieces: inout [Piece]) -> Bool {
        let first = text.first { $0 != 0x20 && $0 != 0x09 }
        if open, let first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["), !canTakeValue {
            abandon("truncated JSON document starting at line \(line)", into: &pieces)
        }
        if !open {
            guard let first else {
                pieces.append(.blank(line: lineNumber, raw: text))
                return false
            }
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                let reason = "not a JSON document: it must start with { or ["
                pieces.append(.broken(line: lineNumber, raw: text, reason: reason))
                return false
            }
            reset()
            open = true
            line = lineNumber
        } else if !oversized {
            bytes.append(0x0A)
        }
        return true
    }

    /// Hands out the complete elements of a streaming document and leaves `{}` in their place.
    private mutating func handOutElements(into pieces: inout [Piece]) {
        guard !elements.isEmpty else { return }
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var from = 0
        for element in elements {
            pieces.append(.element(line: element.line, raw: Array(bytes[element.range]), index: streamed))
            streamed += 1
            kept += bytes[from..<element.range.lowerBound]
            kept += [UInt8(ascii: "{"), UInt8(ascii: "}")]
            from = element.range.upperBound
        }
        let removed = from - (kept.count)
        kept += bytes[from...]
        bytes = kept
        if let start = elementStart { elementStart = (start.line, start.offset - removed) }
        elements.removeAll()
    }

    /// The end of input: an open document is incomplete.
    mutating func finish() -> [Piece] {
        var pieces: [Piece] = []
        if open { abandon("incomplete JSON document starting at line \(line)", into: &pieces) }
        return pieces
    }

    /// Gives up the open document, reporting it unless it was already reported as oversized.
    private mutating func abandon(_ reason: String, into pieces: inout [Piece]) {
        if !oversized { pieces.append(.broken(line: line, raw: bytes, reason: reason)) }
        reset()
    }

    /// Whether the open document may take a value next: after `:` in an object, after `[` or `,` in an array.
    private var canTakeValue: Bool {
        guard !inString, !complete, let top = stack.last else { return false }
        if top == UInt8(ascii: "{") { return lastSignificant == UInt8(ascii: ":") }
        return lastSignificant == UInt8(ascii: "[") || lastSignificant == UInt8(ascii: ",")
    }

    private mutating func reset() {
        open = false
        oversized = false
        bytes.removeAll(keepingCapacity: bytes.count < 1 << 20)
        stack.removeAll()
        inString = false
        escaped = false
        complete = false
        lastSignificant = 0
        elements.removeAll()
        elementStart = nil
        streaming = false
        streamed = 0
    }

    private mutating func scan(_ text: [UInt8], lineNumber: Int) {
        let base = bytes.count
        if !oversized { bytes.append(contentsOf: text) }
        for (index, byte) in text.enumerated() where !complete {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0D:
                continue
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(byte)
                if byte == UInt8(ascii: "{"), stack.count == elementDepth { elementStart = (lineNumber, base + index) }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if byte == UInt8(ascii: "}"), stack.count == elementDepth, let start = elementStart {
                    elements.append((start.line, start.offset..<(base + index + 1)))
                    elementStart = nil
                }
                if stack.popLast() == nil || stack.isEmpty { complete = true }
            default:
                break
            }
            lastSignificant = byte
        }
    }
}
