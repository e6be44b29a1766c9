import Foundation

/// `enroll-audit-bench queries-at --store PATH [--json FILE]`: only the query rows of `run`, on a store
/// that already exists — the 10,000,000-event store of `make bench-queries`, too big to build inside
/// `make bench`'s budget. Prints the table (Markdown with `--markdown`) and writes the JSON when asked.
enum QueryScale {
    static func run(store: String, json: String?, markdown: Bool, cliRuns: Int) throws {
        var parameters = Driver.Parameters()
        parameters.cliRuns = cliRuns
        var driver = Driver(parameters)
        let events = Stats.shellOutput(
            "sqlite3 -readonly \(Report.shellQuoted(store)) 'SELECT max(position) FROM events'")
        let enrollments = Stats.shellOutput(
            "sqlite3 -readonly \(Report.shellQuoted(store)) 'SELECT count(*) FROM device_status'")
        driver.report.parameters = [
            "events": Double(events.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            "enrollments": Double(enrollments.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            "cli_runs": Double(cliRuns),
        ]
        driver.log("queries on \(store): \(events.trimmingCharacters(in: .whitespacesAndNewlines)) events")
        try driver.measureQueries(
            on: store, haveCLI: FileManager.default.isExecutableFile(atPath: driver.parameters.cli))
        driver.report.finished = Date()
        print(markdown ? driver.report.markdownRows() : driver.report.textTable())
        if let json { try driver.report.writeJSON(to: json) }
    }
}
