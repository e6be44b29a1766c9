import EnrollmentDomain
import Foundation
import TestSupport

/// The sample fleet as events, all four sources.
///
/// The NanoMDM, Graph and access-log adapters are written on another branch: until they land, this
/// turns their sample files into events by hand, following the contracts the identity projection relies
/// on (docs/projections.md): NanoMDM check-ins in a stream named by the enrollment id with
/// `data.attempt_id`; Graph failures in a stream named by the correlationId with no user and
/// `data.aad_user_id`; access-log discoveries in streams `web:<upn>@<second>`.
enum SampleSources {
    static func native() throws -> [NewEvent] {
        try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) }
    }

    static func all() throws -> [NewEvent] {
        try native() + nanoMDM() + graph() + accessLog()
    }

    static func nanoMDM() throws -> [NewEvent] {
        try Fixtures.lines("nanomdm-webhook.ndjson").map { line in
            let record = try JSONParser.parse(Array(line.utf8))
            let checkin = record["checkin_event"]
            let enrollmentID = checkin?["enrollment_id"]?.stringValue ?? ""
            var data: [String: JSONValue] = ["enrollment_id": .string(enrollmentID)]
            if let attempt = checkin?["url_params"]?["attempt"]?.stringValue { data["attempt_id"] = .string(attempt) }
            let plist = try checkin?["raw_payload"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map {
                try PropertyListSerialization.propertyList(from: $0, format: nil) as? [String: Any]
            }
            let topic = record["topic"]?.stringValue ?? ""
            data["topic"] = .string(topic)
            for (key, member) in [
                ("OSVersion", "os_version"), ("BuildVersion", "build_version"), ("ProductName", "product_name"),
            ] {
                if let value = plist??[key] as? String { data[member] = .string(value) }
            }
            let type: String
            switch topic {
            case "mdm.Authenticate": type = "mdm.authenticated"
            case "mdm.TokenUpdate":
                type = "mdm.token_updated"
                data["token_update_tally"] = checkin?["token_update_tally"] ?? .int(0)
            case "mdm.CheckOut":
                type = "device.unenrolled"
                data["by"] = .string("checkout")
            default:
                type = "mdm.checked_in"
                data["message_type"] = .string((plist??["MessageType"] as? String) ?? topic)
            }
            return NewEvent(
                eventID: UUID(uuidString: record["event_id"]?.stringValue ?? "")!, stream: enrollmentID, type: type,
                occurredAt: Timestamp(iso8601: record["created_at"]?.stringValue ?? "")!, source: "nanomdm",
                data: data)
        }
    }

    static func graph() throws -> [NewEvent] {
        let text = try String(contentsOfFile: Fixtures.path("graph-troubleshooting.json"), encoding: .utf8)
        let values = try JSONParser.parse(Array(text.utf8))["value"]
        guard case .array(let records) = values else { return [] }
        return records.map { record in
            func text(_ key: String) -> String { record[key]?.stringValue ?? "" }
            var data: [String: JSONValue] = [
                "reason": .string(text("failureReason")), "category": .string(text("failureCategory")),
                "aad_user_id": .string(text("userId")), "os_version": .string(text("osVersion")),
            ]
            if !text("managedDeviceIdentifier").isEmpty {
                data["intune_device_id"] = .string(text("managedDeviceIdentifier"))
            }
            return NewEvent(
                eventID: UUID(uuidString: text("id"))!, stream: text("correlationId"), type: "enrollment.failed",
                occurredAt: Timestamp(iso8601: text("eventDateTime"))!, source: "intune-graph", data: data)
        }
    }

    static func accessLog() throws -> [NewEvent] {
        try Fixtures.lines("discovery-access.log").enumerated().map { index, line in
            let parts = line.components(separatedBy: "\"")
            let stamp = line.split(separator: "[")[1].split(separator: "]")[0]
            let request = parts[1]
            let query = request.split(separator: "?")[1].split(separator: " ")[0]
            var parameters: [String: String] = [:]
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                parameters[String(kv[0])] = String(kv[1])
            }
            let status = Int64(parts[2].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])!
            let contentType = parts[7]
            let host = parts[8].trimmingCharacters(in: .whitespaces)
            let time = Self.accessLogTime(String(stamp))
            let user = parameters["user-identifier"] ?? ""
            var data: [String: JSONValue] = [
                "domain": .string(host), "user_identifier": .string(user), "http_status": .int(status),
                "content_type": .string(contentType), "model_family": .string(parameters["model-family"] ?? ""),
            ]
            let ok = status == 200 && contentType == "application/json"
            if !ok { data["reason"] = .string(status == 404 ? "not_found" : "wrong_content_type") }
            let second = String(time.iso8601.prefix(19)) + "Z"
            return NewEvent(
                eventID: Self.uuid(index), stream: "web:\(user)@\(second)",
                type: ok ? "discovery.succeeded" : "discovery.failed", occurredAt: time, source: "access-log",
                user: user, data: data)
        }
    }

    /// `01/Oct/2026:19:06:12 +0000`.
    static func accessLogTime(_ text: String) -> Timestamp {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let fields = text.split(whereSeparator: { "/: ".contains($0) }).map(String.init)
        let month = Int64(months.firstIndex(of: fields[1])! + 1)
        let days = Timestamp.days(year: Int64(fields[2])!, month: month, day: Int64(fields[0])!)
        let seconds = days * 86_400 + Int64(fields[3])! * 3600 + Int64(fields[4])! * 60 + Int64(fields[5])!
        return Timestamp(milliseconds: seconds * 1000)
    }

    /// A fixed UUID per line, so every run builds the same events.
    static func uuid(_ index: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", index + 1))!
    }
}
