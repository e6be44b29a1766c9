/// Reading nginx `log_format` and Apache `LogFormat` strings.
extension AccessLogFormat {
    /// Whether `text` is nginx syntax: it has a `$variable` or `${variable}`.
    static func isNginx(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.indices.dropLast().contains { index in
            bytes[index] == UInt8(ascii: "$") && (isNameByte(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "{"))
        }
    }

    /// The format of an nginx string pasted from `nginx.conf`: `log_format NAME [escape=…]` dropped, the
    /// `'…'` or `"…"` parts joined, a final `;` dropped. A bare format is returned as it is.
    static func unquotedNginx(_ text: String) -> String {
        var rest = Substring(text).drop(while: \.isWhitespace)
        if rest.hasPrefix("log_format ") {
            rest = rest.dropFirst("log_format ".count).drop(while: \.isWhitespace)
            rest = rest.drop(while: { !$0.isWhitespace }).drop(while: \.isWhitespace)  // the name
            if rest.hasPrefix("escape=") { rest = rest.drop(while: { !$0.isWhitespace }).drop(while: \.isWhitespace) }
        }
        while let last = rest.last, last.isWhitespace || last == ";" { rest = rest.dropLast() }
        guard let quote = rest.first, quote == "'" || quote == "\"" else { return String(rest) }
        var output = ""
        var parts = rest[...]
        while let open = parts.first, open == "'" || open == "\"" {
            guard let close = parts.dropFirst().firstIndex(of: open) else { return String(rest) }
            output += parts[parts.index(after: parts.startIndex)..<close]
            parts = parts[parts.index(after: close)...].drop(while: \.isWhitespace)
        }
        return parts.isEmpty ? output : String(rest)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    /// The elements of an nginx `log_format` string: `$name` and `${name}` are variables.
    static func nginxElements(_ text: String) throws(AccessLogFormatError) -> [Element] {
        let bytes = Array(text.utf8)
        var elements: [Element] = []
        var literal: [UInt8] = []
        var index = 0
        func field(_ name: String) {
            if !literal.isEmpty { elements.append(.literal(literal)) }
            literal = []
            elements.append(.field(AccessLogField.nginx(name), name: "$" + name))
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$"), index + 1 < bytes.count else {
                literal.append(byte)
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "{") {
                guard let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw AccessLogFormatError(.unterminated, "${ at byte \(index + 1) has no closing }")
                }
                field(String(decoding: bytes[(index + 2)..<close], as: UTF8.self))
                index = close + 1
            } else if isNameByte(bytes[index + 1]) {
                var end = index + 1
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                field(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
                index = end
            } else {
                literal.append(byte)
                index += 1
            }
        }
        if !literal.isEmpty { elements.append(.literal(literal)) }
        return elements
    }

    /// The elements of an Apache `LogFormat` string: `%x`, `%>x`, `%{arg}x`, `%400,501{arg}x`; `%%` is a
    /// percent sign; `\"`, `\\`, `\t`, `\n` are the config file's escapes. `%t` writes its own brackets.
    static func apacheElements(_ text: String) throws(AccessLogFormatError) -> [Element] {
        let characters = Array(text)
        var elements: [Element] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
            literal = ""
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "\\", index < characters.count {
                let escaped = characters[index]
                index += 1
                literal += escaped == "t" ? "\t" : escaped == "n" ? "\n" : String(escaped)
                continue
            }
            guard character == "%" else {
                literal.append(character)
                continue
            }
            let start = index - 1
            if index < characters.count, characters[index] == "%" {
                literal += "%"
                index += 1
                continue
            }
            while index < characters.count, "<>!,0123456789".contains(characters[index]) { index += 1 }
            var argument: String?
            if index < characters.count, characters[index] == "{" {
                guard let close = characters[index...].firstIndex(of: "}") else {
                    throw AccessLogFormatError(.unterminated, "%{ at character \(start + 1) has no closing }")
                }
                argument = String(characters[(index + 1)..<close])
                index = close + 1
            }
            guard index < characters.count else {
                throw AccessLogFormatError(
                    .unterminated, "the format ends inside the directive at character \(start + 1)")
            }
            let letter = characters[index]
            index += 1
            let name = String(characters[start..<index])
            if letter == "t", let argument, argument == "%d/%b/%Y:%H:%M:%S %z" {
                flush()
                elements.append(.field(.timeLocal, name: name))
                continue
            }
            let field = AccessLogField.apache(letter, argument: argument)
            if letter == "t", case .other = field {
                throw AccessLogFormatError(
                    .unsupported, "\(name): only %t, %{sec}t, %{msec}t and %{%d/%b/%Y:%H:%M:%S %z}t times are read")
            }
            flush()
            if field == .timeLocal {
                // %t writes `[01/Oct/2026:19:06:12 +0000]`, brackets included.
                elements += [.literal([UInt8(ascii: "[")]), .field(field, name: name), .literal([UInt8(ascii: "]")])]
            } else {
                elements.append(.field(field, name: name))
            }
        }
        flush()
        return elements
    }
}
