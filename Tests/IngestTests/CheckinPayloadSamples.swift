import EnrollmentDomain
import Foundation
import TestSupport

@testable import Ingest

/// What decoding one `raw_payload` gives: the strings (as bytes, so that canonically equivalent but
/// different text differs), the XML text and whether it reproduces the base64, or the refusal.
enum CheckinOutcome: Equatable, CustomStringConvertible {
    case decoded(strings: [String: [UInt8]], xml: [UInt8]?, xmlReproducesBase64: Bool)
    case refused(String)

    init(_ body: () throws(RecordFailure) -> CheckinPayload) {
        do {
            let payload = try body()
            self = .decoded(
                strings: payload.strings.mapValues { Array($0.utf8) }, xml: payload.xml.map { Array($0.utf8) },
                xmlReproducesBase64: payload.xmlReproducesBase64)
        } catch {
            self = .refused(error.reason)
        }
    }

    var description: String {
        switch self {
        case .decoded(let strings, let xml, let reproduces):
            let text = strings.mapValues { String(decoding: $0, as: UTF8.self).debugDescription }
            return
                "decoded \(text.sorted { $0.key < $1.key }) xml: \(xml?.count ?? -1) bytes, reproduces: \(reproduces)"
        case .refused(let reason): return "refused: \(reason)"
        }
    }
}

/// The decoding of `raw_payload` as it was before ``CheckinPlistReader``: Foundation's base64 decoder, then
/// `PropertyListSerialization`, then re-encoding the text to compare it with the base64. The reference the
/// differential tests hold the new decoding to.
enum FoundationCheckinPayload {
    static func outcome(base64: String, field: String = "checkin_event.raw_payload") -> CheckinOutcome {
        guard let data = Data(base64Encoded: base64), !data.isEmpty else {
            return .refused("\(field) is not valid base64")
        }
        guard let plist = try? PropertyListSerialization.propertyList(from: data, options: [], format: nil) else {
            return .refused("\(field) is not a valid property list")
        }
        guard let dictionary = plist as? [String: Any] else {
            return .refused("\(field) is not a property list dictionary")
        }
        var strings: [String: [UInt8]] = [:]
        for key in CheckinPayload.keys {
            guard let value = dictionary[key] else { continue }
            guard let text = value as? String else { return .refused("\(field) \(key) must be a string") }
            strings[key] = Array(text.utf8)
        }
        let bytes = [UInt8](data)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .decoded(strings: strings, xml: nil, xmlReproducesBase64: false)
        }
        return .decoded(
            strings: strings, xml: Array(text.utf8),
            xmlReproducesBase64: Data(text.utf8).base64EncodedString() == base64)
    }
}

/// Sources of `raw_payload` members for the differential tests.
enum CheckinSamples {
    /// The `raw_payload` of each webhook line that has one.
    static func payloads(ofLines lines: [String]) -> [String] {
        lines.compactMap { line in
            guard let body = try? JSONParser.parse(Array(line.utf8)) else { return nil }
            return (body["checkin_event"] ?? body["acknowledge_event"])?["raw_payload"]?.stringValue
        }
    }

    /// The payloads of the sample webhook file.
    static func fixture() throws -> [String] {
        payloads(ofLines: try Fixtures.lines("nanomdm-webhook.ndjson"))
    }

    /// The payloads of the simulator's webhook lines for `users` users.
    static func simulated(users: Int, seed: UInt64 = 42) -> [String] {
        var lines: [String] = []
        FleetSimulator(seed: seed, users: users).forEachAttempt { lines += $0.webhookLines }
        return payloads(ofLines: lines)
    }

    /// The plist text of a base64 payload.
    static func text(of base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64) ?? Data())
    }

    /// Pieces of plist markup that tend to matter to a reader, inserted by ``mutated(_:using:)``.
    static let markup = [
        "<", ">", "&", ";", "/", "<!-- note -->", "<![CDATA[x<y]]>", "<?pi x?>", "&amp;", "&lt;", "&#65;",
        "&#x41;", "&#X41;", "&#xFEFF;", "&#0;", "&#;", "&#xD800;", "&#1114112;", "&#123456789;", "&bogus;",
        "\u{FEFF}", "é", "😀", "<string/>", "<key>UDID</key><integer>7</integer>", "<key>Status</key><true/>",
        "<key>CF$UID</key><integer>1</integer>", "<key>X</key><data>AA==</data>", "<key>Y</key><array/>",
        "<key>Z</key><dict><key>a</key><string>b</string></dict>", "<dict>", "</dict>", "<array>", "</array>",
        "<string>", "</string>", "<key>", "</key>", " ", "\t", "\r\n", "\0", "</plist>", "<plist>", "[",
    ].map { Array($0.utf8) }

    /// One to three seeded edits of plist text: generic byte mutations, or pieces of ``markup`` inserted.
    static func mutated(_ text: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        guard Bool.random(using: &generator) else { return Mutations.mutate(text, using: &generator) }
        var bytes = text
        for _ in 0...Int.random(in: 0..<3, using: &generator) {
            let at = Int.random(in: 0...bytes.count, using: &generator)
            bytes.insert(contentsOf: markup.randomElement(using: &generator)!, at: at)
        }
        return bytes
    }
}
