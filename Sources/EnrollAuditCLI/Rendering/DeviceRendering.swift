import EnrollmentDomain
import Export
import Projections

/// How `devices` and `show` print enrollments.
enum DeviceRendering {
    static let csvColumns = [
        "enrollment", "ids", "user", "state", "step", "failure_step", "failure_reason", "os_version", "model",
        "first_seen", "last_seen", "time_to_enroll_s", "events", "stalled",
    ]

    static func json(_ status: DeviceStatus) -> JSONValue { status.json }

    static func uniqueIDs(_ status: DeviceStatus) -> [String] { status.uniqueIDs }

    static func csvRow(_ status: DeviceStatus) -> [String] {
        [
            status.enrollment, uniqueIDs(status).joined(separator: " "), status.user ?? "",
            status.state.rawValue, status.step?.rawValue ?? "", status.failure?.step.rawValue ?? "",
            status.failure?.reason ?? "", status.osVersion ?? "", status.model ?? "", status.firstSeen.iso8601,
            status.lastSeen.iso8601, status.timeToEnrollSeconds.map { String($0) } ?? "", String(status.events),
            String(status.stalled),
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
    static func render(_ statuses: [DeviceStatus], format: ListFormat) -> String {
        switch format {
        case .table: return statuses.isEmpty ? "" : table(statuses)
        case .json: return JSONValue.array(statuses.map(json)).prettyString
        case .ndjson: return statuses.map { json($0).canonicalString + "\n" }.joined()
        case .csv: return CSV.record(csvColumns) + statuses.map { CSV.record(csvRow($0)) }.joined()
        }
    }
}
