import Foundation

extension Driver {
    /// The query commands end to end (process start included) on PostgreSQL against the same commands on
    /// the SQLite store `main` they were copied from (`copy --to`: the same log, read models written by
    /// PostgreSQL's folds), in the same run, interleaved: p50 and p99 of `show`, `timeline`, `devices` and
    /// `stats`, each against the SQLite figure of the same percentile. Issue 16's goal: < 100 ms.
    mutating func measurePostgresQueries(main: String, events: Double) throws {
        guard let cluster = startCluster("postgres-queries", rows: "The PostgreSQL query rows") else { return }
        defer { cluster.stop() }
        let database = try cluster.makeDatabase()
        let address = cluster.address(user: database.owner, database: database.name)
        log("pgqueries: copy --to postgres:// of \(Report.count(events)) events")
        let copySeconds = try Stats.time(parameters.cli, ["copy", "--from", main, "--to", address])
        let ids = try QueryMeasurements.sampleIDs(store: main, count: 50)
        let commands: [(key: String, label: String, arguments: (Int) -> [String])] = [
            ("show", "show <attempt id>", { ["show", ids[($0 * 7) % ids.count]] }),
            ("timeline", "timeline <attempt id>", { ["timeline", ids[($0 * 7 + 3) % ids.count]] }),
            (
                "devices", "devices --state failed --limit 50",
                { _ in ["devices", "--state", "failed", "--limit", "50"] }
            ),
            ("stats", "stats", { _ in ["stats"] }),
        ]
        log("pgqueries: each command \(parameters.cliRuns) times on each backend")
        var raw: [String: Double] = ["copy_seconds": copySeconds]
        for command in commands {
            var sqlite: [Double] = []
            var postgres: [Double] = []
            for run in 0..<parameters.cliRuns {
                let arguments = command.arguments(run)
                sqlite.append(try Stats.time(parameters.cli, arguments + ["--store", main]) * 1000)
                postgres.append(try Stats.time(parameters.cli, arguments + ["--store", address]) * 1000)
            }
            for percentile in [50.0, 99.0] {
                let name = "p\(Int(percentile))"
                let value = Stats.percentile(postgres, percentile)
                raw["\(command.key)_\(name)_ms"] = value
                raw["sqlite_\(command.key)_\(name)_ms"] = Stats.percentile(sqlite, percentile)
                report.add(
                    "`enroll-audit \(command.label) --store postgres://…` (\(Report.count(events)) events), "
                        + "end to end, \(name)", value, unit: "ms", baseline: "the same on the SQLite store, \(name)",
                    Stats.percentile(sqlite, percentile), higherIsBetter: false, goal: "< 100 ms", met: value < 100)
            }
        }
        report.raw["postgres_queries_cli"] = raw
    }
}
