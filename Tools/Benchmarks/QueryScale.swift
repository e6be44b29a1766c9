import Foundation
import GRDB

/// `enroll-audit-bench queries-at --store PATH [--json FILE]`: only the query rows of `run`, on a store
/// that already exists — the 10,000,000-event store of `make bench-queries`, too big to build inside
/// `make bench`'s budget. Prints the table (Markdown with `--markdown`) and writes the JSON when asked.
enum QueryScale {
    static func run(store: String, json: String?, markdown: Bool, cliRuns: Int) throws {
        var parameters = Driver.Parameters()
        parameters.cliRuns = cliRuns
        var driver = Driver(parameters)
        let (events, enrollments) = try {
            let opened = try Measurements.openReadOnly(store)
            let enrollments = try opened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM device_status") }
            return (try opened.head().position, enrollments ?? 0)
        }()
        driver.report.parameters = [
            "events": Double(events), "enrollments": Double(enrollments), "cli_runs": Double(cliRuns),
        ]
        driver.log("queries on \(store): \(events) events, \(enrollments) enrollments")
        try driver.measureQueries(
            on: store, haveCLI: FileManager.default.isExecutableFile(atPath: driver.parameters.cli))
        driver.report.finished = Date()
        print(markdown ? driver.report.markdownRows() : driver.report.textTable())
        if let json { try driver.report.writeJSON(to: json) }
    }
}
