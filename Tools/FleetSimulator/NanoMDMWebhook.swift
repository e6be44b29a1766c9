import EnrollmentDomain
import Foundation

/// Writes NanoMDM webhook bodies as the real server does: a JSON line whose `raw_payload` is the
/// check-in's XML property list in base64.
enum NanoMDMWebhook {
    static func line(
        messageType: String, eventID: String, at time: Timestamp, enrollmentID: String, attempt: String,
        tenant: String, pushToken: String
    ) -> String {
        var plist: [String: String] = [
            "EnrollmentID": enrollmentID, "MessageType": messageType, "Topic": "com.apple.mgmt.External.\(tenant)",
        ]
        switch messageType {
        case "Authenticate":
            plist["BuildVersion"] = "22B83"
            plist["OSVersion"] = "18.1"
            plist["ProductName"] = "iPhone15,2"
        case "TokenUpdate":
            plist["PushMagic"] = UUID().uuidString.lowercased()
            plist["Token"] = pushToken
        default:
            break
        }
        let xml = propertyList(plist)
        var checkin: [String: JSONValue] = [
            "enrollment_id": .string(enrollmentID),
            "url_params": .object(["attempt": .string(attempt)]),
            "ids": .object(["id": .string(enrollmentID), "type": "User Enrollment (Device)"]),
            "raw_payload": .string(Data(xml.utf8).base64EncodedString()),
        ]
        if messageType == "TokenUpdate" { checkin["token_update_tally"] = 1 }
        let body: JSONValue = .object([
            "topic": .string("mdm.\(messageType)"), "event_id": .string(eventID),
            "created_at": .string(time.iso8601), "checkin_event": .object(checkin),
        ])
        return body.canonicalString
    }

    static func propertyList(_ values: [String: String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>

            """
        for key in values.keys.sorted() {
            xml += "\t<key>\(key)</key>\n\t<string>\(values[key]!)</string>\n"
        }
        return xml + "</dict>\n</plist>\n"
    }
}
