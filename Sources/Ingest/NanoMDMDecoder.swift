import EnrollmentDomain
import Foundation

/// Decodes NanoMDM and MicroMDM webhook bodies, one JSON object per line (see `docs/ingest.md`).
///
/// | topic | event type |
/// |---|---|
/// | `mdm.Authenticate` | `mdm.authenticated` |
/// | `mdm.TokenUpdate` | `mdm.token_updated` |
/// | `mdm.CheckOut` | `device.unenrolled` (`by: checkout`) |
/// | any other check-in, `mdm.Connect` (command results) | `mdm.checked_in` |
///
/// The stream is the enrollment id (`enrollment_id`, else the plist's `EnrollmentID`, else `udid`, else
/// `UDID`); the event id is the webhook's `event_id` when it is a UUID, else derived from the line.
public final class NanoMDMDecoder: InputDecoder {
    public let format = InputFormat.nanomdm
    /// The `url_params` key that carries the attempt id.
    let attemptParameter: String

    /// The webhook topics NanoMDM and MicroMDM send.
    static let topics: Set<String> = [
        "mdm.Authenticate", "mdm.TokenUpdate", "mdm.CheckOut", "mdm.Connect", "mdm.UserAuthenticate",
        "mdm.DeclarativeManagement", "mdm.SetBootstrapToken", "mdm.GetBootstrapToken", "mdm.GetToken",
    ]

    /// - Parameter attemptParameter: the `url_params` key that carries the attempt id.
    public init(attemptParameter: String = "attempt") {
        self.attemptParameter = attemptParameter
    }

    public func feed(_ line: [UInt8], lineNumber: Int) -> [DecodedRecord] {
        if RecordChecks.isBlank(line) {
            return [DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: "blank line"))]
        }
        return [DecodedRecord(line: lineNumber, raw: line) { () throws(RecordFailure) in [try event(line)] }]
    }

    public func finish() -> [DecodedRecord] { [] }

    func event(_ line: [UInt8]) throws(RecordFailure) -> NewEvent {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { throw RecordFailure(error.description) }
        guard let members = json.objectValue else {
            throw RecordFailure("a webhook body must be a JSON object, not \(json.typeName)")
        }
        let record = RecordFields(members)
        let topic = try record.requiredString("topic")
        guard Self.topics.contains(topic) else {
            throw RecordFailure("topic '\(topic.prefix(64))' is not a known webhook topic")
        }
        let eventID = try record.string("event_id").flatMap(UUID.init(hexString:))
        let occurredAt = try record.timestamp("created_at")
        let isAcknowledgement =
            topic == "mdm.Connect" || (!record.has("checkin_event") && record.has("acknowledge_event"))
        let bodyName = isAcknowledgement ? "acknowledge_event" : "checkin_event"
        guard let body = try record.object(bodyName) else { throw RecordFailure("\(bodyName) is required") }

        var payload: CheckinPayload?
        if let base64 = try body.string("raw_payload") {
            payload = try CheckinPayload(base64: base64, field: body.name("raw_payload"))
        } else if !isAcknowledgement {
            throw RecordFailure("\(body.name("raw_payload")) is required")
        }
        let plist = payload?.strings ?? [:]
        let bodyEnrollmentID = try body.nonEmptyString("enrollment_id")
        let udid = try body.nonEmptyString("udid")
        guard let enrollmentID = bodyEnrollmentID ?? plist["EnrollmentID"] ?? udid ?? plist["UDID"],
            !enrollmentID.isEmpty
        else {
            throw RecordFailure(
                "\(body.name("enrollment_id")) is missing (no enrollment_id, EnrollmentID, udid or UDID)")
        }
        let stream = try RecordChecks.stream(enrollmentID, from: body.name("enrollment_id"))
        let isMicroMDM = !body.has("enrollment_id") && body.has("udid") && !body.has("ids")

        let checkinType = String(topic.dropFirst("mdm.".count))
        let messageType: String
        if isAcknowledgement {
            guard let status = try body.nonEmptyString("status") ?? plist["Status"] else {
                throw RecordFailure("\(body.name("status")) is required")
            }
            messageType = "Acknowledge:\(status)"
        } else {
            messageType = plist["MessageType"] ?? checkinType
            guard messageType == checkinType else {
                throw RecordFailure("\(body.name("raw_payload")) MessageType does not match topic '\(topic)'")
            }
        }

        var data: [String: JSONValue] = ["enrollment_id": .string(enrollmentID), "topic": .string(topic)]
        if let params = try body.object("url_params"), let attempt = try params.nonEmptyString(attemptParameter) {
            data["attempt_id"] = .string(attempt)
        }
        let type: String
        switch topic {
        case "mdm.Authenticate":
            type = "mdm.authenticated"
            data["os_version"] = plist["OSVersion"].map(JSONValue.string)
            data["build_version"] = plist["BuildVersion"].map(JSONValue.string)
            data["product_name"] = plist["ProductName"].map(JSONValue.string)
        case "mdm.TokenUpdate":
            type = "mdm.token_updated"
            data["token_update_tally"] = try body.integer("token_update_tally").map(JSONValue.int)
        case "mdm.CheckOut":
            type = "device.unenrolled"
            data["by"] = .string("checkout")
        default:
            type = "mdm.checked_in"
            data["message_type"] = .string(messageType)
        }
        var raw = members
        if let payload { raw[bodyName] = .object(payload.keeping(in: body.members)) }
        data["raw"] = .object(raw)
        return NewEvent(
            eventID: eventID ?? NameBasedUUID.eventID(format: format, record: line), stream: stream, type: type,
            occurredAt: occurredAt, source: isMicroMDM ? "micromdm" : "nanomdm", data: data)
    }
}
