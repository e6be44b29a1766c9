import EnrollmentDomain
import Export
import Projections

/// How `devices` and `show` print enrollments.
enum DeviceRendering {
    static let csvColumns = [
        "enrollment", "ids", "user", "entra_user_id", "state", "step", "failure_step", "failure_reason",
        "os_version", "model", "first_seen", "last_seen", "last_step_at", "time_to_enroll_s", "events", "stalled",
        "stalled_for_s", "last_problem_type", "last_problem_reason",
    ]

    static func json(_ status: DeviceStatus) -> JSONValue { status.json }

    static func uniqueIDs(_ status: DeviceStatus) -> [String] { status.uniqueIDs }

    static func csvRow(_ status: DeviceStatus) -> [String] {
        [
            status.enrollment, uniqueIDs(status).joined(separator: " "), status.user ?? "", status.entraUserID ?? "",
            status.state.rawValue, status.step?.rawValue ?? "", status.failure?.step.rawValue ?? "",
            status.failure?.reason ?? "", status.osVersion ?? "", status.model ?? "", status.firstSeen.iso8601,
            status.lastSeen.iso8601, status.lastStepAt.iso8601, status.timeToEnrollSeconds.map { String($0) } ?? "",
            String(status.events), String(status.stalled), status.stalledForSeconds.map { String($0) } ?? "",
            status.lastProblem?.type ?? "", status.lastProblem?.reason ?? "",
        ]
    }

    static let tableHeaders = [
        "ENROLLMENT", "USER", "STATE", "STEP", "FAILURE", "MODEL", "OS", "FIRST SEEN", "LAST SEEN", "EVENTS",
    ]

    static func tableRow(_ status: DeviceStatus) -> [String] {
        [
            status.enrollment, status.user ?? "-", stateText(status), status.step?.rawValue ?? "-",
            whyText(status) ?? "-", status.model ?? "-", status.osVersion ?? "-",
            String(status.firstSeen.iso8601.prefix(19)) + "Z", String(status.lastSeen.iso8601.prefix(19)) + "Z",
            String(status.events),
        ]
    }

    static func table(_ statuses: [DeviceStatus]) -> String {
        var table = TextTable(tableHeaders)
        for status in statuses { table.append(tableRow(status)) }
        return table.rendered
    }

    /// The state, and for a stalled enrollment for how long: `in_progress (stalled 2h05m)`.
    static func stateText(_ status: DeviceStatus) -> String {
        status.state.rawValue + (status.stalledForSeconds.map { " (stalled \(HumanDuration.format($0)))" } ?? "")
    }

    /// Why it is where it is: the failure of a failed enrollment (`step: reason`), else the latest problem
    /// no later success answered (`work_app.sign_in_blocked: authenticator_missing`), else `nil`.
    static func whyText(_ status: DeviceStatus) -> String? {
        if let failure = status.failure { return "\(failure.step.rawValue): \(failure.reason)" }
        guard status.state == .inProgress, let problem = status.lastProblem else { return nil }
        return "\(problem.type): \(problem.reason)"
    }

    /// The hint under an enrollment whose ids conflict, one line per conflict.
    static func conflictHints(_ status: DeviceStatus) -> [String] {
        status.conflicts.map { conflict in
            let ids = conflict.ids.joined(separator: ", ")
            switch conflict.kind {
            case .enrollmentIDs:
                return "conflict: two MDM EnrollmentIDs were joined into this enrollment (\(ids)); its events may "
                    + "be of two devices: read them by id (show ID) before acting"
            case .attempts:
                return "conflict: two attempts that each reported their own discovery were joined (\(ids)); "
                    + "their steps may be mixed: read each stream's events (export --id ID)"
            }
        }
    }

    /// Renders a list in the requested format: an empty list is no output at all (a table), `[]` (JSON),
    /// or the header alone (CSV).
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

    /// Writes the enrollments `filter` lists to `sink` as they are read, in `format`: memory stays flat
    /// with the fleet. The table is read twice (once for the column widths, once to print), the other
    /// formats once.
    ///
    /// - Returns: how many were written.
    @discardableResult
    static func stream(
        _ filter: DeviceFilter, from queries: any EnrollmentReadModel, format: ListFormat, rawCSV: Bool,
        to sink: ByteSink
    ) async throws -> Int {
        var count = 0
        switch format {
        case .table:
            var widths = tableHeaders.map(\.count)
            try await queries.forEachDevice(filter) { status in
                for (column, cell) in tableRow(status).map(TerminalText.escaped).enumerated() {
                    widths[column] = max(widths[column], cell.count)
                }
                count += 1
            }
            guard count > 0 else { return 0 }
            try sink.write(TextTable.line(tableHeaders, widths: widths))
            count = 0
            try await queries.forEachDevice(filter) { status in
                try sink.write(TextTable.line(tableRow(status).map(TerminalText.escaped), widths: widths))
                count += 1
            }
        case .json:
            try await queries.forEachDevice(filter) { status in
                try sink.write((count == 0 ? "[\n  " : ",\n  ") + json(status).prettyString(nestedAt: 1))
                count += 1
            }
            try sink.write(count == 0 ? "[]\n" : "\n]\n")
        case .ndjson:
            try await queries.forEachDevice(filter) { status in
                try sink.write(json(status).canonicalString + "\n")
                count += 1
            }
        case .csv:
            try sink.write(CSV.record(csvColumns))
            try await queries.forEachDevice(filter) { status in
                try sink.write(CSV.record(csvRow(status), neutralizingFormulas: !rawCSV))
                count += 1
            }
        }
        try sink.finish()
        return count
    }
}
