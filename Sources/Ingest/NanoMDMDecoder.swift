import EnrollmentDomain
import Foundation

/// Decodes NanoMDM and MicroMDM webhook bodies as their Go code marshals them: one JSON object per line,
/// or pretty-printed over many lines (see `docs/ingest.md`).
///
/// | topic | event type |
/// |---|---|
/// | `mdm.Authenticate` | `mdm.authenticated` |
/// | `mdm.TokenUpdate` | `mdm.token_updated` (a user channel's: `mdm.checked_in`) |
/// | `mdm.CheckOut` | `device.unenrolled` (`by: checkout`) |
/// | `mdm.Connect` with status `Error` or `CommandFormatError` | `mdm.command_failed` |
/// | any other check-in, `mdm.Connect` (command results) | `mdm.checked_in` |
///
/// The stream is the enrollment id (`enrollment_id`, else the plist's `EnrollmentID`, else `udid`, else
/// `UDID`); the event id is the webhook's `event_id` when it is a UUID, else derived from the line.
public final class NanoMDMDecoder: InputDecoder {
    public let format = InputFormat.nanomdm
    /// The `url_params` key that carries the attempt id.
    let attemptParameter: String
    /// Bodies spread over several lines (pretty-printed) are buffered here, up to 16 MiB.
    private var splitter = JSONDocumentSplitter(maximumSize: 16 << 20)

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
        if !splitter.isOpen {
            if RecordChecks.isBlank(line) {
                return [DecodedRecord(line: lineNumber, raw: line, outcome: .skipped(reason: "blank line"))]
            }
            // One body per line (what NanoMDM and MicroMDM send), or a line that is no JSON at all.
            let json = try? JSONParser.parse(line)
            let first = line.first { $0 != 0x20 && $0 != 0x09 }
            if json != nil || (first != UInt8(ascii: "{") && first != UInt8(ascii: "[")) {
                return [
                    DecodedRecord(line: lineNumber, raw: line) { () throws(RecordFailure) in [try event(line, json)] }
                ]
            }
        }
        return splitter.feed(line, lineNumber: lineNumber).map(record)
    }

    public func finish() -> [DecodedRecord] { splitter.finish().map(record) }

    private func record(_ piece: JSONDocumentSplitter.Piece) -> DecodedRecord {
        switch piece {
        case .blank(let line, let raw): DecodedRecord(line: line, raw: raw, outcome: .skipped(reason: "blank line"))
        case .broken(let line, let raw, let reason):
            DecodedRecord(line: line, raw: raw, outcome: .rejected(reason: reason))
        case .document(let document):
            DecodedRecord(line: document.line, raw: document.bytes) { () throws(RecordFailure) in
                [try event(document.bytes, nil)]
            }
        case .element(let line, let raw, _):
            // Only documents read in pieces hand out elements, and webhook lines are not read so.
            DecodedRecord(line: line, raw: raw) { () throws(RecordFailure) in [try event(raw, nil)] }
        }
    }

    /// The event of one webhook body (`parsed`: its JSON when already parsed).
    func event(_ line: [UInt8], _ parsed: JSONValue? = nil) throws(RecordFailure) -> NewEvent {
        let json: JSONValue
        if let parsed {
            json = parsed
        } else {
            do { json = try JSONParser.parse(line) } catch { throw RecordFailure(error.description) }
        }
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
        // Go's zero time is what an unset `time.Time` marshals to (NanoMDM's own test data has it): kept as
        // the source said it, and flagged, so the timeline can say the time is unknown.
        let timeUnset = occurredAt == Self.goZeroTime
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
        let ids = try body.object("ids")
        // A user channel (macOS user, or the user side of a User Enrollment) belongs to its device channel.
        let parentID = try ids?.nonEmptyString("parent_id")
        let userChannelID = try parentID != nil ? ids?.nonEmptyString("id") : nil
        let isUserChannel = parentID != nil || plist["UserID"] != nil || plist["EnrollmentUserID"] != nil
        guard let enrollmentID = bodyEnrollmentID ?? parentID ?? plist["EnrollmentID"] ?? udid ?? plist["UDID"],
            !enrollmentID.isEmpty
        else {
            throw RecordFailure(
                "\(body.name("enrollment_id")) is missing (no enrollment_id, EnrollmentID, udid or UDID)")
        }
        let stream = try RecordChecks.stream(enrollmentID, from: body.name("enrollment_id"))
        // NanoMDM always writes `ids`; MicroMDM never does.
        let isMicroMDM = ids == nil

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
        if timeUnset { data["time_unset"] = .string("go_zero_time") }
        if let params = try body.object("url_params"), let attempt = try params.nonEmptyString(attemptParameter) {
            data["attempt_id"] = .string(attempt)
        }
        if isUserChannel {
            data["channel"] = .string("user")
            data["user_channel_id"] = (userChannelID ?? plist["EnrollmentUserID"] ?? plist["UserID"]).map(
                JSONValue.string)
        }
        let type: String
        switch topic {
        case "mdm.Connect"
        where CommandResult.failureStatuses.contains(String(messageType.dropFirst("Acknowledge:".count))):
            type = "mdm.command_failed"
            let status = String(messageType.dropFirst("Acknowledge:".count))
            data["status"] = .string(status)
            data["command_uuid"] = try (body.nonEmptyString("command_uuid") ?? plist["CommandUUID"]).map(
                JSONValue.string)
            data["request_type"] = plist["RequestType"].map(JSONValue.string)
            let chain =
                try (body.string("raw_payload")).map { base64 throws(RecordFailure) in
                    try CommandResult.errorChain(base64: base64, field: body.name("raw_payload"))
                } ?? []
            if !chain.isEmpty { data["error_chain"] = .array(chain) }
            data["reason"] = .string(CommandResult.reason(chain, status: status))
        case "mdm.TokenUpdate" where isUserChannel:
            type = "mdm.checked_in"
            data["message_type"] = .string(messageType)
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

    /// Go's `time.Time{}` as it marshals: `0001-01-01T00:00:00Z`.
    static let goZeroTime = Timestamp(iso8601: "0001-01-01T00:00:00Z")
}
