/// A failure to start or configure the service, with a stable code.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Listening off loopback without tokens.
        public static let insecureListen = Code(rawValue: "insecure_listen")
        /// A limit or option out of range.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The tokens file could not be read or has a bad line.
        public static let badTokensFile = Code(rawValue: "bad_tokens_file")
        /// The HMAC key file could not be read or is empty.
        public static let badKeyFile = Code(rawValue: "bad_key_file")
        /// The TLS certificate or key could not be loaded.
        public static let badTLSFiles = Code(rawValue: "bad_tls_files")
    }

    public var code: Code
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// The one-based line of the file, if any.
    public var line: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        var place = file ?? ""
        if let line { place += ":\(line)" }
        return place.isEmpty ? message : "\(place): \(message)"
    }
}
