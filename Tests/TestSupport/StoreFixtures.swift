import EnrollmentDomain
@_exported import FleetSimulator
import Foundation

/// Builders of events for tests.
public enum EventFactory {
    /// A valid `profile.installed`-style event with a fresh id; override what the test is about.
    public static func event(
        stream: String = "UE-test", type: String = "remote_management.allowed", id: UUID = UUID(),
        at milliseconds: Int64 = 1_790_000_000_000, user: String? = "joe@contoso.com",
        data: [String: JSONValue] = [:]
    ) -> NewEvent {
        NewEvent(
            eventID: id, stream: stream, type: type, occurredAt: Timestamp(milliseconds: milliseconds),
            source: "test", user: user, data: data)
    }

    /// Native NDJSON lines of `count` valid events spread over `streams` streams.
    public static func ndjsonLines(count: Int, streams: Int = 100, tag: String = "bulk") -> [String] {
        (0..<count).map { index in
            let id = UUID().uuidString.lowercased()
            let stream = "UE-\(tag)-\(index % streams)"
            let millis = 1_790_000_000_000 + Int64(index) * 1000
            let time = Timestamp(milliseconds: millis).iso8601
            return #"{"event_id":"\#(id)","stream":"\#(stream)","type":"app.installed","occurred_at":"\#(time)","#
                + #""source":"intune","user":"user\#(index % streams)@contoso.com","#
                + #""data":{"bundle_id":"com.microsoft.Office.Outlook","name":"Outlook","tag":"\#(tag)"}}"#
        }
    }
}

/// The seeded generator tests use for shuffles and fuzzing (the fleet simulator's SplitMix64).
public typealias SeededGenerator = SeededRandom
