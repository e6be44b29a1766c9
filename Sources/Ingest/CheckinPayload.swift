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
        "CommandUUID",
    ]

    /// Decodes `base64`.
    ///
    /// - Parameter field: the member's path for errors, e.g. `checkin_event.raw_payload`.
    /// - Throws: ``RecordFailure`` when it is not base64, not a property list, not a dictionary, or a
    ///   known key holds something other than a string.
    init(base64: String, field: String) throws(RecordFailure) {
        guard let data = Data(base64Encoded: base64), !data.isEmpty else {
            throw RecordFailure("\(field) is not valid base64")
        }
        let plist: Any
        do {
            plist = try PropertyListSerialization.propertyList(from: data, options: [], format: nil)
        } catch {
            throw RecordFailure("\(field) is not a valid property list")
        }
        guard let dictionary = plist as? [String: Any] else {
            throw RecordFailure("\(field) is not a property list dictionary")
        }
        var strings: [String: String] = [:]
        for key in Self.keys {
            guard let value = dictionary[key] else { continue }
            guard let text = value as? String else { throw RecordFailure("\(field) \(key) must be a string") }
            strings[key] = text
        }
        self.strings = strings
        let bytes = [UInt8](data)
        if let text = String(validating: bytes, as: UTF8.self) {
            xml = text
            xmlReproducesBase64 = Data(text.utf8).base64EncodedString() == base64
        } else {
            xml = nil
            xmlReproducesBase64 = false
        }
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
