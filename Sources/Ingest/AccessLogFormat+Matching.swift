/// The values of one access-log line, by field, with the servers' escapes undone.
struct AccessLogValues {
    private var values: [AccessLogField: [UInt8]] = [:]

    /// The field's bytes; the first occurrence when a format names a field twice.
    func bytes(_ field: AccessLogField) -> [UInt8]? { values[field] }

    /// The field's text (invalid UTF-8 replaced), or `nil` when the format does not log it.
    func string(_ field: AccessLogField) -> String? { values[field].map { String(decoding: $0, as: UTF8.self) } }

    /// Whether the field is absent or valid UTF-8.
    func isUTF8(_ field: AccessLogField) -> Bool {
        values[field].map { String(validating: $0, as: UTF8.self) != nil } ?? true
    }

    mutating func set(_ field: AccessLogField, _ bytes: ArraySlice<UInt8>) {
        if values[field] == nil { values[field] = Self.unescaped(bytes) }
    }

    /// Undoes nginx's `\xHH` (and `\"`, `\\`) and Apache's `\"`, `\\`, `\n`, `\t`, `\xhh`.
    static func unescaped(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\\")) else { return Array(bytes) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.endIndex else {
                output.append(byte)
                index += 1
                continue
            }
            let next = bytes[index + 1]
            if next == UInt8(ascii: "x"), index + 3 < bytes.endIndex, let high = hexValue(bytes[index + 2]),
                let low = hexValue(bytes[index + 3])
            {
                output.append(high << 4 | low)
                index += 4
                continue
            }
            switch next {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            default: output.append(next)
            }
            index += 2
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension AccessLogFormat {
    /// What matching a line against a format gave.
    enum Match {
        case matched(AccessLogValues)
        /// Where the line left the format, e.g. `expected " after $request`.
        case mismatch(String)
    }

    /// Cuts `line` into this format's fields.
    ///
    /// Between fields the format's literal text must be there exactly. A field after a `"` runs to the
    /// next literal, skipping backslash escapes; after a `[`, to the next literal; elsewhere it may not hold
    /// a space or tab. The line must end after the last element (trailing spaces aside) unless the format
    /// allows trailing fields.
    func match(_ line: [UInt8]) -> Match {
        switch layout {
        case .template(let elements, let allowsTrailingFields):
            return Self.match(line, elements: elements, allowsTrailingFields: allowsTrailingFields)
        case .w3c(let fields, let names):
            guard let fields else { return .mismatch("no #Fields: directive before this line") }
            let parts = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
            guard parts.count == fields.count else {
                return .mismatch("\(parts.count) values where the #Fields: directive names \(names.count)")
            }
            var values = AccessLogValues()
            for (field, part) in zip(fields, parts) where part != [UInt8(ascii: "-")] { values.set(field, part) }
            return .matched(values)
        }
    }

    private static func match(_ line: [UInt8], elements: [Element], allowsTrailingFields: Bool) -> Match {
        var end = line.count
        while end > 0, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        var position = 0
        var values = AccessLogValues()
        var previous: (name: String, literal: [UInt8])?
        for (index, element) in elements.enumerated() {
            switch element {
            case .literal(let text):
                guard line[position..<end].starts(with: text) else {
                    let place = previous.map { "after \($0.name)" } ?? "at the start of the line"
                    return .mismatch("expected `\(String(decoding: text, as: UTF8.self))` \(place)")
                }
                position += text.count
                previous = (previous?.name ?? "", text)
            case .field(let field, let name):
                let opening = previous?.literal.last
                let next: [UInt8]? = index + 1 < elements.count ? elements[index + 1].literal : nil
                let stop: Int
                if let next {
                    guard let found = find(next, in: line, from: position, to: end, escapes: opening == 0x22) else {
                        return .mismatch("expected `\(String(decoding: next, as: UTF8.self))` after \(name)")
                    }
                    stop = found
                } else {
                    stop = line[position..<end].firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) ?? end
                }
                let value = line[position..<stop]
                if opening != 0x22, opening != UInt8(ascii: "["), value.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                    return .mismatch("\(name) holds a space")
                }
                values.set(field, value)
                position = stop
                previous = (name, [])
            }
        }
        if position < end, !(allowsTrailingFields && (line[position] == 0x20 || line[position] == 0x09)) {
            return .mismatch("unexpected text after the last field, \(previous?.name ?? "")")
        }
        return .matched(values)
    }

    /// The first index of `needle` in `line[from..<to]`; with `escapes`, a backslash hides the next byte.
    private static func find(_ needle: [UInt8], in line: [UInt8], from: Int, to: Int, escapes: Bool) -> Int? {
        var index = from
        while index + needle.count <= to {
            if escapes, line[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if line[index] == needle[0], line[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension AccessLogFormat.Element {
    var literal: [UInt8]? {
        if case .literal(let bytes) = self { return bytes }
        return nil
    }
}
