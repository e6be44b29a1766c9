import Foundation

/// The peers' rows: Python `eventsourcing` on SQLite and on PostgreSQL, installed by the bench into a
/// virtual environment of its scratch folder, and this project's PostgreSQL backend in a throwaway cluster
/// the bench starts and stops (``BenchCluster``). See docs/performance.md, "Peers and PostgreSQL".
extension Driver {
    /// The peer's pinned version and what it needs from PyPI.
    static let peerRequirements = [
        "eventsourcing[postgres]==9.5.6", "psycopg[binary,pool]==3.3.9", "psycopg-pool==3.3.3",
    ]

    /// The Python of a virtual environment under the scratch folder with the peer installed (pip, PyPI),
    /// or why there is none.
    func peerPython() -> (python: String?, reason: String) {
        let venv = "\(parameters.directory)/peer-venv"
        let python = "\(venv)/bin/python"
        let check = "import importlib.metadata as m; assert m.version('eventsourcing') == '9.5.6'; import psycopg_pool"
        if Stats.shellOutput("\(Report.shellQuoted(python)) -c \(Report.shellQuoted(check)) && echo ok") == "ok" {
            return (python, "")
        }
        log("peers: installing \(Self.peerRequirements.joined(separator: " ")) into \(venv) (pip, PyPI)")
        let install =
            "python3 -m venv \(Report.shellQuoted(venv)) && \(Report.shellQuoted(python)) -m pip install --quiet "
            + "--disable-pip-version-check \(Self.peerRequirements.map(Report.shellQuoted).joined(separator: " ")) "
            + "2>&1 | tail -3"
        let output = Stats.shellOutput(install)
        if Stats.shellOutput("\(Report.shellQuoted(python)) -c \(Report.shellQuoted(check)) && echo ok") == "ok" {
            return (python, "")
        }
        let reason = output.isEmpty ? "python3 -m venv failed (python3-venv missing?)" : output
        return (nil, reason.replacingOccurrences(of: "\n", with: " "))
    }

    /// The script that drives the peer: `--peer-script`, else `Tools/eventsourcing-peer.py` of the working
    /// directory or of the checkout the bench binary was built in (`.build/release/…`).
    func peerScript() -> String? {
        let beside = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("../../Tools")
        return [parameters.peerScript, "Tools/eventsourcing-peer.py", beside.path + "/eventsourcing-peer.py"]
            .first { !$0.isEmpty && FileManager.default.fileExists(atPath: $0) }
    }

    /// Medians over `runs` runs of a child, each into a fresh database of `cluster`; the child's CPU
    /// seconds and the server's are added (`client_cpu_seconds`, `server_cpu_seconds`).
    func inFreshDatabases(
        _ cluster: BenchCluster, runs: Int? = nil,
        _ child: (_ address: String, _ database: (name: String, owner: String)) throws -> [String: Double]
    ) throws -> [String: Double] {
        var samples: [String: [Double]] = [:]
        for _ in 0..<(runs ?? parameters.peerRuns) {
            let database = try cluster.makeDatabase()
            let server = cluster.cpuSeconds()
            let client = Stats.childrenCPUSeconds()
            var values = try child(cluster.address(user: database.owner, database: database.name), database)
            values["client_cpu_seconds"] = Stats.childrenCPUSeconds() - client
            values["server_cpu_seconds"] = cluster.cpuSeconds() - server
            for (key, value) in values { samples[key, default: []].append(value) }
            try cluster.psql("DROP DATABASE \(database.name)")
        }
        return samples.mapValues(Stats.median)
    }

    /// Every peer row, on the native NDJSON `native` already ingested into the SQLite store `main` (whose
    /// ingest medians are `ingest`).
    mutating func measurePeers(native: String, main: String, ingest: [String: Double], events: Double) throws {
        let rate = ingest["events_per_second"] ?? 0
        let script = peerScript()
        let (python, reason) = script == nil ? (nil, "Tools/eventsourcing-peer.py not found") : peerPython()
        if python == nil {
            report.notes.append("The Python `eventsourcing` rows are left out: \(reason).")
            log("peers: no Python eventsourcing: \(reason)")
        }
        if let python, let script {
            log("peers: Python eventsourcing 9.5.6 on SQLite × \(parameters.peerRuns)")
            let sqlite = try medians(
                [script, "--persistence", "sqlite", "--db", "\(parameters.directory)/peer-es.sqlite", native],
                runs: parameters.peerRuns, executable: python)
            report.add(
                "Ingest, native NDJSON (\(Report.count(events)) events), against Python `eventsourcing` on SQLite",
                rate, unit: "events/s", baseline: "`eventsourcing` 9.5.6, SQLite, 1,000/txn, no projections, no chain",
                sqlite["events_per_second"] ?? 0, higherIsBetter: true, goal: "≥ 5",
                met: rate >= 5 * (sqlite["events_per_second"] ?? .infinity))
            report.raw["peer_eventsourcing_sqlite"] = sqlite
        }
        guard let cluster = startCluster("postgres", rows: "The PostgreSQL rows") else { return }
        defer { cluster.stop() }
        try measurePostgres(cluster, native: native, main: main, ingest: ingest, events: events, python: python)
    }

    /// A throwaway cluster in the folder `name` of the scratch directory, or `nil` (and a note that `rows`
    /// are left out) when PostgreSQL cannot run here.
    mutating func startCluster(_ name: String, rows: String) -> BenchCluster? {
        do {
            log("\(name): starting a throwaway cluster")
            return try BenchCluster(directory: "\(parameters.directory)/\(name)")
        } catch {
            report.notes.append("\(rows) are left out: \(error).")
            log("\(name): skipped: \(error)")
            return nil
        }
    }

    /// This project's bulk ingest into PostgreSQL (against SQLite's and the peer's), its appends in batches,
    /// and four concurrent writers.
    mutating func measurePostgres(
        _ cluster: BenchCluster, native: String, main: String, ingest: [String: Double], events: Double,
        python: String?
    ) throws {
        let p = parameters
        // What the backend supports today: `ingest --store postgres://…` once it exists, else `copy --to`.
        let probe = "\(p.directory)/probe.ndjson"
        try (try Data(contentsOf: URL(fileURLWithPath: native)).split(separator: 0x0A).first ?? Data())
            .write(to: URL(fileURLWithPath: probe))
        let probeDatabase = try cluster.makeDatabase()
        let canIngest =
            (try? Stats.time(
                p.cli,
                ["ingest", "--store", cluster.address(user: probeDatabase.owner, database: probeDatabase.name), probe]))
            != nil
        let command = canIngest ? "`enroll-audit ingest --store postgres://…`" : "`enroll-audit copy --to postgres://…`"
        if !canIngest { log("postgres: `ingest` refused postgres:// (the message above): measuring `copy --to`") }
        log("postgres: bulk ingest with \(command) × \(p.peerRuns)")
        let bulk = try inFreshDatabases(cluster) { address, _ in
            let arguments =
                canIngest ? ["ingest", "--store", address, native] : ["copy", "--from", main, "--to", address]
            let seconds = try Stats.time(p.cli, arguments)
            return ["events": events, "seconds": seconds, "events_per_second": events / seconds]
        }
        let bulkRate = bulk["events_per_second"] ?? 0
        report.add(
            "Bulk ingest into PostgreSQL, \(command) (\(Report.count(events)) events, process included)", bulkRate,
            unit: "events/s", baseline: "bulk ingest into SQLite, same events", ingest["events_per_second"] ?? 0,
            higherIsBetter: true, goal: "(report)")
        log("postgres: appends of 1,000 events per transaction, 1 writer × \(p.peerRuns)")
        let appends = try inFreshDatabases(cluster) { address, _ in
            try Stats.child(me, ["pg-append", "--store", address, "--writers", "1", "--batch", "1000", native])
        }
        report.raw["postgres_bulk"] = bulk
        report.raw["postgres_append_1000"] = appends
        if let python, let script = peerScript() {
            log("postgres: Python eventsourcing.postgres 9.5.6 × \(p.peerRuns)")
            let peer = try inFreshDatabases(cluster) { _, database in
                try Stats.child(
                    python,
                    [
                        script, "--persistence", "postgres", "--pg-host", cluster.socketDirectory, "--pg-port",
                        "\(cluster.port)", "--pg-user", database.owner, "--pg-db", database.name, native,
                    ])
            }
            let peerRate = peer["events_per_second"] ?? 0
            let baseline = "`eventsourcing.postgres` 9.5.6, 1,000/txn, no projections, no chain"
            report.add(
                "Bulk ingest into PostgreSQL, \(command), against Python `eventsourcing`", bulkRate, unit: "events/s",
                baseline: baseline, peerRate, higherIsBetter: true, goal: "≥ 3", met: bulkRate >= 3 * peerRate)
            let appendRate = appends["events_per_second"] ?? 0
            report.add(
                "PostgreSQL appends of the NDJSON, 1,000 per transaction, 1 writer (`PostgresEventStore.append`)",
                appendRate, unit: "events/s", baseline: baseline, peerRate, higherIsBetter: true, goal: "≥ 3",
                met: appendRate >= 3 * peerRate)
            report.raw["peer_eventsourcing_postgres"] = peer
        }
        try measureWriters(cluster, native: native, events: events)
    }

    /// Four writers on their own connections, appending 100 events a transaction, against one writer doing
    /// the same appends alone.
    mutating func measureWriters(_ cluster: BenchCluster, native: String, events: Double) throws {
        let count = Int(min(events, Double(parameters.writerEvents)))
        log(
            "postgres: 4 concurrent writers and 1 writer, 100 events per append, \(count) events × \(parameters.peerRuns)"
        )
        var results: [Int: [String: Double]] = [:]
        for writers in [1, 4] {
            results[writers] = try inFreshDatabases(cluster) { address, _ in
                try Stats.child(
                    me,
                    [
                        "pg-append", "--store", address, "--writers", "\(writers)", "--batch", "100", "--limit",
                        "\(count)", native,
                    ])
            }
        }
        let (one, four) = (results[1] ?? [:], results[4] ?? [:])
        report.add(
            "PostgreSQL, 4 concurrent writers, 100 events per append (\(Report.count(Double(count))) events): total",
            four["events_per_second"] ?? 0, unit: "events/s", baseline: "1 writer, same appends",
            one["events_per_second"] ?? 0, higherIsBetter: true, goal: "(report)")
        report.add(
            "PostgreSQL, 4 concurrent writers, 100 events per append: p99 append latency", four["p99_ms"] ?? 0,
            unit: "ms", baseline: "1 writer, same appends, p99", one["p99_ms"] ?? 0, higherIsBetter: false,
            goal: "(report)")
        report.raw["postgres_writers_1"] = one
        report.raw["postgres_writers_4"] = four
    }
}
