/// A compiled access-log format: the literal text and typed fields of an nginx `log_format`, an Apache
/// `LogFormat` or a W3C extended log's `#Fields:` line.
///
/// ```swift
/// let format = try AccessLogFormat(specification: #"$remote_addr - $remote_user [$time_local] "$request" $status"#)
/// let format = try AccessLogFormat(specification: "combined")   // a preset, see ``presets``
/// ```
///
/// Variables and directives map to ``AccessLogField``s; those the decoder does not read are matched and
/// ignored. A format must say when (a time), what (a request line, or a method and a path) and how it
/// ended (a status).
public struct AccessLogFormat: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a line: text that must be there, or a field.
    enum Element: Sendable, Hashable {
        case literal([UInt8])
        case field(AccessLogField, name: String)
    }

    /// How a line is cut into fields.
    enum Layout: Sendable, Hashable {
        /// Literal text between fields, as nginx and Apache write; with `allowsTrailingFields`, fields the
        /// format does not name may follow (AWS adds fields to ALB logs at the end).
        case template([Element], allowsTrailingFields: Bool)
        /// Values separated by spaces or tabs, named by a W3C `#Fields:` directive; `nil` until the log's
        /// own directive is read.
        case w3c([AccessLogField]?, names: [String])
    }

    /// The preset's name, or `custom`.
    public let name: String
    let layout: Layout

    public var description: String { name }

    init(name: String, layout: Layout) {
        self.name = name
        self.layout = layout
    }

    /// Compiles a preset name (``presets``), an nginx `log_format` string, an Apache `LogFormat` string or a
    /// W3C `#Fields:` line.
    ///
    /// An nginx string may be pasted as it stands in `nginx.conf` (`log_format main '…' '…';`); an Apache
    /// string with its `\"` escapes.
    ///
    /// - Throws: ``AccessLogFormatError`` naming what is wrong: an unterminated `${` or `%{`, two fields
    ///   with nothing between them, a format without a time, a request or a status.
    public init(specification: String) throws(AccessLogFormatError) {
        if let preset = Self.presets.first(where: { $0.name == specification }) {
            self = preset
            return
        }
        let trimmed = specification.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.hasPrefix("#Fields:") {
            self = try Self.w3c(fields: String(trimmed.dropFirst("#Fields:".count)))
            return
        }
        let elements: [Element]
        if Self.isNginx(specification) {
            elements = try Self.nginxElements(Self.unquotedNginx(specification))
        } else if specification.contains("%") {
            elements = try Self.apacheElements(specification)
        } else {
            throw AccessLogFormatError(
                .notAFormat,
                "'\(specification.prefix(60))' is neither a preset (\(Self.presetNames)) nor a format with "
                    + "$variables (nginx) or %directives (Apache)")
        }
        self = try Self.checked(name: "custom", elements: elements, allowsTrailingFields: false)
    }

    /// The names of the presets, for messages.
    static var presetNames: String { presets.map(\.name).joined(separator: ", ") }

    /// Whether the format logs the response's Content-Type (W3C: whether its `#Fields:` do, once read).
    public var logsContentType: Bool { fields.contains(.contentType) }

    /// The fields the format names.
    var fields: [AccessLogField] {
        switch layout {
        case .template(let elements, _):
            elements.compactMap { if case .field(let field, _) = $0 { field } else { nil } }
        case .w3c(let fields, _): fields ?? []
        }
    }

    /// The field's name as the format wrote it (`$status`, `%>s`, `sc-status`), for messages.
    func fieldName(_ field: AccessLogField) -> String {
        switch layout {
        case .template(let elements, _):
            for case .field(field, let name) in elements { return name }
        case .w3c(let fields, let names):
            if let index = fields?.firstIndex(of: field) { return names[index] }
        }
        return "\(field)"
    }

    /// A W3C format of the names of a `#Fields:` directive.
    static func w3c(fields text: String) throws(AccessLogFormatError) -> AccessLogFormat {
        let names = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        // CloudFront logs its own domain as cs(Host) and the one the device asked for as x-host-header.
        let hasHostHeader = names.contains { $0.lowercased() == "x-host-header" }
        let fields = names.map { name in
            hasHostHeader && name.lowercased() == "cs(host)" ? .other(name) : AccessLogField.w3c(name)
        }
        try require(fields, in: "#Fields:")
        return AccessLogFormat(name: "w3c", layout: .w3c(fields, names: names))
    }

    static func checked(
        name: String, elements: [Element], allowsTrailingFields: Bool
    ) throws(AccessLogFormatError) -> AccessLogFormat {
        var merged: [Element] = []
        for element in joinedTargets(elements) {
            switch (merged.last, element) {
            case (.literal(let previous), .literal(let next)):
                merged[merged.count - 1] = .literal(previous + next)
            case (.field(_, let previous), .field(_, let next)):
                throw AccessLogFormatError(
                    .adjacentFields, "\(previous) and \(next) have nothing between them: a line cannot be cut there")
            default:
                merged.append(element)
            }
        }
        try require(merged.compactMap { if case .field(let field, _) = $0 { field } else { nil } }, in: "the format")
        return AccessLogFormat(name: name, layout: .template(merged, allowsTrailingFields: allowsTrailingFields))
    }

    /// The path-and-query idioms as one target field: Apache's `%U%q` (`%q` is `?query` or nothing) and
    /// nginx's `$uri$is_args$args` (`$is_args` is `?` or nothing).
    private static func joinedTargets(_ elements: [Element]) -> [Element] {
        var result: [Element] = []
        var index = 0
        while index < elements.count {
            if case .field(.path, let path) = elements[index], index + 1 < elements.count {
                if case .field(.query, let query) = elements[index + 1], query == "%q" {
                    result.append(.field(.target, name: path + query))
                    index += 2
                    continue
                }
                if index + 2 < elements.count, case .field(.other("$is_args"), _) = elements[index + 1],
                    case .field(.query, let query) = elements[index + 2]
                {
                    result.append(.field(.target, name: path + "$is_args" + query))
                    index += 3
                    continue
                }
            }
            result.append(elements[index])
            index += 1
        }
        return result
    }

    private static func require(_ fields: [AccessLogField], in place: String) throws(AccessLogFormatError) {
        guard fields.contains(where: \.isTime) else {
            throw AccessLogFormatError(
                .missingField, "\(place) has no request time ($time_local, $time_iso8601, $msec, %t, date)")
        }
        guard fields.contains(.request) || (fields.contains(.method) && fields.contains(where: \.isPathOrTarget))
        else {
            throw AccessLogFormatError(
                .missingField, "\(place) has no request ($request, %r, or a method and a path such as cs-uri-stem)")
        }
        guard fields.contains(.status) else {
            throw AccessLogFormatError(.missingField, "\(place) has no response status ($status, %>s, sc-status)")
        }
    }
}

extension AccessLogField {
    var isPathOrTarget: Bool { self == .path || self == .target }
}

/// A log format that cannot be compiled, or a log whose format cannot be told.
public struct AccessLogFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// Neither a preset nor a string with `$variables` or `%directives`.
        case notAFormat = "not_a_format"
        /// A `${` or `%{` without its `}`, or a format ending inside a directive.
        case unterminated
        /// Two fields with nothing between them: a line cannot be cut there.
        case adjacentFields = "adjacent_fields"
        /// No time, no request or no status.
        case missingField = "missing_field"
        /// A directive the reader does not support (a strftime `%{…}t` other than CLF's).
        case unsupported
    }

    /// What kind of problem.
    public var code: Code
    /// What is wrong, naming the variable or directive.
    public var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "--log-format: \(message)" }
}
