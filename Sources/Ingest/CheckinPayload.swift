import EnrollmentDomain
import Foundation

/// The `raw_payload` of a NanoMDM/MicroMDM webhook body: a base64 XML property list, decoded.
struct CheckinPayload {
    /// The plist's string members (`MessageType`, `EnrollmentID`, `OSVersion`, …).
    var strings: [String: String]
    /// The plist as text, when the payload was UTF-8 (an XML plist).
    var xml: String?
    /// Whether base64 of `xml`'s bytes is exactly the original member, so the base64 can be dropped.
    var xmlReproducesBase64: Bool

    /// The plist keys read; others stay only in the kept record.
    static let keys = [
        "MessageType", "EnrollmentID", "UDID", "OSVersion", "BuildVersion", "ProductName", "Topic", "Status",
        "CommandUUID", "RequestType", "UserID", "EnrollmentUserID",
    ]

    /// The reader of the plists check-ins are; documents it does not fully understand go to Foundation.
    static let reader = CheckinPlistReader(keys: keys)

    /// Decodes `base64`.
    ///
    /// Canonical base64 (what encoders write) is decoded here, other base64 by Foundation. The plist is read
    /// by ``CheckinPlistReader`` when it is the usual XML check-in, else by `PropertyListSerialization`;
    /// either way the strings and errors are the same.
    ///
    /// - Parameter field: the member's path for errors, e.g. `checkin_event.raw_payload`.
    /// - Throws: ``RecordFailure`` when it is not base64, not a property list, not a dictionary, or a
    ///   known key holds something other than a string.
    init(base64: String, field: String) throws(RecordFailure) {
        let canonical = CanonicalBase64.decode(base64)
        guard let bytes = canonical ?? Data(base64Encoded: base64).map({ [UInt8]($0) }), !bytes.isEmpty else {
            throw RecordFailure("\(field) is not valid base64")
        }
        xml = String(validating: bytes, as: UTF8.self)
        // Base64 of the text's bytes reproduces the member exactly when the member is canonical base64.
        xmlReproducesBase64 = xml != nil && canonical != nil
        let members = xml == nil ? nil : bytes.withUnsafeBufferPointer { Self.reader.members(of: $0) }
        if let members {
            strings = try Self.strings(members, field: field)
        } else {
            strings = try Self.foundationStrings(bytes, field: field)
        }
    }

    /// The strings of ``keys`` read by ``reader``.
    private static func strings(
        _ members: [CheckinPlistReader.Member?], field: String
    ) throws(RecordFailure) -> [String: String] {
        var strings: [String: String] = [:]
        for (key, member) in zip(keys, members) {
            switch member {
            case nil: continue
            case .other: throw RecordFailure("\(field) \(key) must be a string")
            case .string(let text): strings[key] = text
            }
        }
        return strings
    }

    /// The strings of ``keys`` read by `PropertyListSerialization`: any plist it reads (binary, another
    /// encoding, comments, CDATA…).
    private static func foundationStrings(_ bytes: [UInt8], field: String) throws(RecordFailure) -> [String: String] {
        let plist: Any
        do {
            plist = try PropertyListSerialization.propertyList(from: Data(bytes), options: [], format: nil)
        } catch {
            throw RecordFailure("\(field) is not a valid property list")
        }
        guard let dictionary = plist as? [String: Any] else {
            throw RecordFailure("\(field) is not a property list dictionary")
        }
        var strings: [String: String] = [:]
        for key in keys {
            guard let value = dictionary[key] else { continue }
            guard let text = value as? String else { throw RecordFailure("\(field) \(key) must be a string") }
            strings[key] = text
        }
        return strings
    }

    /// `body` (the webhook's `checkin_event` or `acknowledge_event`) as it is kept in `data.raw`: the
    /// plist's text added as `raw_payload_xml`, and the base64 `raw_payload` dropped when the text
    /// reproduces it byte for byte (otherwise both are kept).
    func keeping(in body: [String: JSONValue]) -> [String: JSONValue] {
        guard let xml else { return body }
        var body = body
        body["raw_payload_xml"] = .string(xml)
        if xmlReproducesBase64 { body["raw_payload"] = nil }
        return body
    }
}
