import EnrollmentDomain
import Export
import Projections

/// How `devices` and `show` print enrollments.
enum DeviceRendering {
    static let csvColumns = [
        "enrollment", "ids", "user", "entra_user_id", "state", "step", "failure_step", "failure_reason",
        "os_version", "model", "first_seen", "last_seen", "last_step_at", "time_to_enroll_s", "events", "stalled",
    ]

    static func json(_ status: DeviceStatus) -> JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "enrollment": .string(status.enrollment),
            "ids": .array(uniqueIDs(status).map(JSONValue.string)),
            "id_kinds": .object(
                Dictionary(status.ids.map { ($0.value, JSONValue.string($0.kind.rawValue)) }) { first, _ in first }),
            "user": optional(status.user),
            "entra_user_id": optional(status.entraUserID),
            "state": .string(status.state.rawValue),
            "step": optional(status.step?.rawValue),
            "failure": status.failure.map {
                .object(["step": .string($0.step.rawValue), "reason": .string($0.reason)])
            } ?? .null,
            "os_version": optional(status.osVersion),
            "model": optional(status.model),
            "first_seen": .string(status.firstSeen.iso8601),
            "last_seen": .string(status.lastSeen.iso8601),
            "last_step_at": .string(status.lastStepAt.iso8601),
            "time_to_enroll_s": status.timeToEnrollSeconds.map(JSONValue.double) ?? .null,
            "events": .int(Int64(status.events)),
            "stalled": .bool(status.stalled),
        ])
    }

    /// Every id once (an attempt id is often also a stream), in the projection's order.
    static func uniqueIDs(_ status: DeviceStatus) -> [String] {
        var seen: Set<String> = []
        return status.ids.map(\.value).filter { seen.insert($0).inserted }
    }

    static func csvRow(_ status: DeviceStatus) -> [String] {
        [
            status.enrollment, uniqueIDs(status).joined(separator: " "), status.user ?? "", status.entraUserID ?? "",
            status.state.rawValue, status.step?.rawValue ?? "", status.failure?.step.rawValue ?? "",
            status.failure?.reason ?? "", status.osVersion ?? "", status.model ?? "", status.firstSeen.iso8601,
            status.lastSeen.iso8601, status.lastStepAt.iso8601, status.timeToEnrollSeconds.map { String($0) } ?? "",
            String(status.events), String(status.stalled),
        ]
    }

    static func table(_ statuses: [DeviceStatus]) -> String {
        var table = TextTable([
            "ENROLLMENT", "USER", "STATE", "STEP", "FAILURE", "MODEL", "OS", "FIRST SEEN", "LAST SEEN", "EVENTS",
        ])
        for status in statuses {
            table.append([
                status.enrollment, status.user ?? "-",
                status.state.rawValue + (status.stalled ? " (stalled)" : ""), status.step?.rawValue ?? "-",
                status.failure.map { "\($0.step.rawValue): \($0.reason)" } ?? "-", status.model ?? "-",
                status.osVersion ?? "-", String(status.firstSeen.iso8601.prefix(19)) + "Z",
                String(status.lastSeen.iso8601.prefix(19)) + "Z", String(status.events),
            ])
        }
        return table.rendered
    }

    /// Renders a list in the requested format: an empty list is no output at all (a table), `[]` (JSON),
    /// or the header alone (CSV).
    /// CSV cells are neutralised against formula injection unless `rawCSV` (``CSV``).
    static func render(_ statuses: [DeviceStatus], format: ListFormat, rawCSV: Bool = false) -> String {
        switch format {
        case .table: return statuses.isEmpty ? "" : table(statuses)
        case .json: return JSONValue.array(statuses.map(json)).prettyString
        case .ndjson: return statuses.map { json($0).canonicalString + "\n" }.joined()
        case .csv:
            return CSV.record(csvColumns)
                + statuses.map { CSV.record(csvRow($0), neutralizingFormulas: !rawCSV) }.joined()
        }
    }
}
