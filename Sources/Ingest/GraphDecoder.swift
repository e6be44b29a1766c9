import EnrollmentDomain

/// Decodes Microsoft Graph `deviceManagement/troubleshootingEvents` responses: a page `{"value":[…]}`
/// (pretty-printed or not), an array of pages, or one event object per line.
///
/// Each event is one record, reported at the line where its object starts, with its own bytes for the
/// reject file. A document is buffered until it is complete, up to ``maximumDocumentSize``. Events map
/// as ``GraphEventMapper`` says.
public final class GraphDecoder: InputDecoder, StreamingDecoder {
    public let format = InputFormat.graph
    /// The largest JSON document accepted: 64 MiB.
    public static let maximumDocumentSize = 64 << 20
    private var splitter: JSONDocumentSplitter

    /// - Parameter maximumDocumentSize: see ``maximumDocumentSize``.
    public init(maximumDocumentSize: Int = GraphDecoder.maximumDocumentSize) {
        splitter = JSONDocumentSplitter(maximumSize: maximumDocumentSize)
    }

    public func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        splitter.feed(line, lineNumber: lineNumber).flatMap(records)
    }

    public func finish() -> [DecodedRecord] {
        splitter.finish().flatMap(records)
    }

    func feedPiece(_ piece: [UInt8], lineNumber: Int, first: Bool, last: Bool) -> [DecodedRecord] {
        splitter.feedPiece(piece, lineNumber: lineNumber, first: first, last: last).flatMap(records)
    }

    private func records(_ piece: JSONDocumentSplitter.Piece) -> [DecodedRecord] {
        switch piece {
        case .blank(let line, let raw):
            return [DecodedRecord(line: line, raw: raw, outcome: .skipped(reason: "blank line"))]
        case .broken(let line, let raw, let reason):
            return [DecodedRecord(line: line, raw: raw, outcome: .rejected(reason: reason))]
        case .document(let document):
            return records(document)
        case .element(let line, let raw, let index):
            // An event of a page read in pieces, handed out as soon as it was complete.
            let json: JSONValue
            do { json = try JSONParser.parse(raw) } catch {
                return [
                    DecodedRecord(line: line, raw: raw, outcome: .rejected(reason: "invalid JSON: \(error.reason)"))
                ]
            }
            guard let members = json.objectValue else {
                return [
                    DecodedRecord(line: line, raw: raw, outcome: .rejected(reason: "value[\(index)] must be an object"))
                ]
            }
            return records(members, path: "value[\(index)]", line: line, raw: raw)
        }
    }

    private func records(_ document: JSONDocumentSplitter.Document) -> [DecodedRecord] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(document.bytes)
        } catch {
            let line = document.line + document.bytes.prefix(error.offset).count { $0 == 0x0A }
            return [
                DecodedRecord(
                    line: document.line, raw: document.bytes,
                    outcome: .rejected(reason: "invalid JSON on line \(line): \(error.reason)"))
            ]
        }
        func whole(_ outcome: DecodedRecord.Outcome) -> [DecodedRecord] {
            [DecodedRecord(line: document.line, raw: document.bytes, outcome: outcome)]
        }
        // Where the events are: (path for errors, the page's `value` elements).
        var pages: [(path: String, value: JSONValue?)] = []
        var events: [(path: String, members: [String: JSONValue])] = []
        switch json {
        case .array(let elements):
            // An array of pages (when any element is one), or a bare array of events (`jq '[.value[]]'`,
            // PowerShell's ConvertTo-Json).
            let isPaged = elements.contains { $0["value"] != nil || $0["@odata.context"] != nil }
            for (index, element) in elements.enumerated() {
                guard let object = element.objectValue else {
                    return whole(.rejected(reason: "[\(index)] must be an object, not \(element.typeName)"))
                }
                if isPaged {
                    pages.append(("[\(index)].value", object["value"]))
                } else {
                    events.append(("[\(index)]", object))
                }
            }
        case .object(let members) where members["value"] != nil || members["@odata.context"] != nil:
            pages.append(("value", members["value"]))
        case .object(let members):
            return records(members, path: "", line: document.line, raw: document.bytes)
        default:
            return whole(.rejected(reason: "a Graph response must be a JSON object or array, not \(json.typeName)"))
        }
        for (path, value) in pages {
            guard let value, value != .null else { return whole(.rejected(reason: "\(path) is missing")) }
            guard case .array(let elements) = value else {
                return whole(.rejected(reason: "\(path) must be an array, not \(value.typeName)"))
            }
            for (index, element) in elements.enumerated() {
                guard let members = element.objectValue else {
                    return whole(.rejected(reason: "\(path)[\(index)] must be an object, not \(element.typeName)"))
                }
                events.append(("\(path)[\(index)]", members))
            }
        }
        if document.streamed > 0 {
            // The page was read in pieces: its events were handed out already; `{}` holds their places.
            return events.filter { !$0.members.isEmpty }.flatMap { event in
                records(
                    event.members, path: event.path, line: document.line,
                    raw: JSONValue.object(event.members).canonicalBytes)
            }
        }
        if events.isEmpty { return whole(.skipped(reason: "a page with no events")) }
        // The splitter's element positions match the events unless a page holds other arrays of objects.
        let located = document.elements.count == events.count
        return events.enumerated().flatMap { index, event in
            let place = located ? document.elements[index] : nil
            return records(
                event.members, path: event.path, line: place?.line ?? document.line,
                raw: place.map { Array(document.bytes[$0.range]) } ?? JSONValue.object(event.members).canonicalBytes)
        }
    }

    /// The records of one Graph object: one per event it yields (a managed device gives two facts), so a
    /// Graph record is an event and each is stored or restated on its own.
    private func records(_ members: [String: JSONValue], path: String, line: Int, raw: [UInt8]) -> [DecodedRecord] {
        var records: [DecodedRecord]
        do {
            switch try GraphResources.map(RecordFields(members, path: path)) {
            case .events(let events):
                records = events.map { DecodedRecord(line: line, raw: raw, outcome: .events([$0])) }
            case .skipped(let reason):
                records = [DecodedRecord(line: line, raw: raw, outcome: .skipped(reason: reason))]
            }
        } catch {
            records = [DecodedRecord(line: line, raw: raw, outcome: .rejected(reason: error.reason))]
        }
        for index in records.indices { records[index].keyedBySourceID = true }
        return records
    }
}
