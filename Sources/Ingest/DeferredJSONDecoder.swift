import EnrollmentDomain

/// The decoder of an input whose first line opens a JSON document it does not finish (a pretty-printed
/// webhook body or Graph page): it holds the lines until the first document is complete, tells the
/// format by that document's members, then hands every held line to that format's decoder.
///
/// The first document is held at most once more than its decoder holds it (up to ``maximumHeld``
/// bytes); past that, or when the document cannot be parsed, the text decides (`FormatDetector`).
final class DeferredJSONDecoder: InputDecoder {
    /// The most held before deciding: 64 MiB, the largest document the Graph decoder accepts.
    static let maximumHeld = 64 << 20
    private let makeDecoder: (InputFormat) -> any InputDecoder
    private var splitter = JSONDocumentSplitter(maximumSize: DeferredJSONDecoder.maximumHeld)
    private var held: [(line: [UInt8], number: Int)] = []
    private var decided: (any InputDecoder)?

    var format: InputFormat { decided?.format ?? .graph }

    init(makeDecoder: @escaping (InputFormat) -> any InputDecoder) {
        self.makeDecoder = makeDecoder
    }

    func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        if let decided { return decided.feed(line, lineNumber: lineNumber) }
        held.append((line, lineNumber))
        for piece in splitter.feed(line, lineNumber: lineNumber) {
            switch piece {
            case .document(let document):
                let members = (try? JSONParser.parse(document.bytes)).flatMap(Self.firstObject)
                return decide(members.map(FormatDetector.detect(members:)) ?? text())
            case .broken:
                return decide(text())
            case .blank, .element:
                continue
            }
        }
        return []
    }

    func finish() -> [DecodedRecord] {
        if decided == nil { return decide(text()) + (decided?.finish() ?? []) }
        return decided?.finish() ?? []
    }

    /// The object that decides: the document itself, or the first element of an array (a bare array of
    /// events, an array of pages).
    private static func firstObject(_ json: JSONValue) -> [String: JSONValue]? {
        if case .array(let elements) = json { return elements.first?.objectValue }
        return json.objectValue
    }

    private func text() -> InputFormat {
        FormatDetector.detect(text: String(decoding: held.prefix(64).flatMap { $0.line + [0x0A] }, as: UTF8.self))
    }

    private func decide(_ format: InputFormat) -> [DecodedRecord] {
        let decoder = makeDecoder(format)
        decided = decoder
        let lines = held
        held = []
        return lines.flatMap { decoder.feed($0.line, lineNumber: $0.number) }
    }
}
