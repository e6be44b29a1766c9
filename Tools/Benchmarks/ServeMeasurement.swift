import Foundation

/// `enroll-audit-bench serve`: the HTTP service under load from `wrk` (Debian's), against the CLI's bulk
/// ingest of the same webhook bodies.
///
/// - Acknowledged webhooks per second with `connections` concurrent connections (durability full, each
///   answered after its group commit), and the p50/p99 acknowledgement latency.
/// - The baseline: `enroll-audit ingest --from nanomdm` of the same bodies, events per second.
/// - The read API (one enrollment's timeline) p50/p99 with `readers` concurrent connections while 16
///   connections keep posting webhooks: back to back (a closed loop), then each reader pausing 100 ms
///   between requests.
enum ServeMeasurement {
    struct Options {
        var cli: String
        var webhooks: String
        var directory: String
        var seconds = 5
        var connections = 64
        var readers = 200
    }

    static func run(_ options: Options) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        let baselineStore = "\(options.directory)/serve-baseline.sqlite"
        let store = "\(options.directory)/serve.sqlite"
        for path in [baselineStore, store] {
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
        }
        let lines = try String(contentsOfFile: options.webhooks, encoding: .utf8).split(separator: "\n").count

        // The baseline: the CLI's bulk ingest of the same bodies (one transaction).
        let started = Date()
        let ingest = Process()
        ingest.executableURL = URL(fileURLWithPath: options.cli)
        ingest.arguments = ["ingest", "--store", baselineStore, "--from", "nanomdm", options.webhooks]
        ingest.standardOutput = FileHandle.nullDevice
        try ingest.run()
        ingest.waitUntilExit()
        let bulkSeconds = Date().timeIntervalSince(started)

        let serve = try ServeChild(cli: options.cli, store: store)
        defer { serve.stop() }
        let post = "\(options.directory)/post.lua"
        try Data(Self.postScript.utf8).write(to: URL(fileURLWithPath: post))
        let ack = try Wrk.run(
            url: serve.url + "/webhooks/mdm", connections: options.connections, seconds: options.seconds,
            script: post, scriptArguments: [options.webhooks])
        let stored = try serve.storedEvents()

        // One enrollment's timeline under concurrent readers while webhooks keep arriving.
        let id = try serve.firstEnrollment()
        let writers = try Wrk.start(
            url: serve.url + "/webhooks/mdm", connections: 16, seconds: options.seconds + 2, script: post,
            scriptArguments: [options.webhooks, "1"])
        let read = try Wrk.run(
            url: serve.url + "/v1/timeline/\(id)", connections: options.readers, seconds: options.seconds)
        writers.waitUntilExit()
        // The same readers, each pausing between its requests as a dashboard does: a closed loop of 200
        // connections queues by Little's law (latency = connections / throughput), a paced one shows the
        // time one read takes under the same ingest.
        let paced = "\(options.directory)/paced.lua"
        try Data(Self.pacedScript.utf8).write(to: URL(fileURLWithPath: paced))
        let pacedWriters = try Wrk.start(
            url: serve.url + "/webhooks/mdm", connections: 16, seconds: options.seconds + 2, script: post,
            scriptArguments: [options.webhooks, "1"])
        let pacedRead = try Wrk.run(
            url: serve.url + "/v1/timeline/\(id)", connections: options.readers, seconds: options.seconds,
            script: paced)
        pacedWriters.waitUntilExit()

        let result: [String: Double] = [
            "webhook_lines": Double(lines),
            "acknowledged_per_second": ack.okPerSecond,
            "ack_p50_ms": ack.p50,
            "ack_p99_ms": ack.p99,
            "ack_errors": Double(ack.errors),
            "stored_events": Double(stored),
            "bulk_events_per_second": Double(lines) / max(bulkSeconds, 1e-9),
            "read_per_second": read.okPerSecond,
            "read_p50_ms": read.p50,
            "read_p99_ms": read.p99,
            "read_errors": Double(read.errors),
            "paced_read_per_second": pacedRead.okPerSecond,
            "paced_p50_ms": pacedRead.p50,
            "paced_p99_ms": pacedRead.p99,
            "paced_errors": Double(pacedRead.errors),
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        try FileHandle.standardOutput.write(contentsOf: data)
    }

    /// Each connection waits 100 ms after each answer (wrk's `delay`): 200 readers ask at most 2,000 times a
    /// second.
    static let pacedScript = """
        delay = function()
          return 100
        end
        """

    /// Posts the lines of a file in turn, the two threads alternating lines. With `args[2]` it starts
    /// half-way (a second load posts other bodies than the first).
    static let postScript = """
        local index = 0
        function setup(thread)
          thread:set("id", index)
          index = index + 1
        end
        init = function(args)
          bodies = {}
          for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
          start = 0
          if args[2] then start = math.floor(#bodies / 2) end
          counter = 0
          wrk.method = "POST"
          wrk.headers["Content-Type"] = "application/json"
        end
        request = function()
          local i = (start + counter * 2 + tonumber(id)) % #bodies
          counter = counter + 1
          return wrk.format(nil, nil, nil, bodies[i + 1])
        end
        """
}

/// `enroll-audit serve` as a child on a free port.
final class ServeChild {
    let process = Process()
    let url: String

    init(cli: String, store: String) throws {
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["serve", "--store", store, "--listen", "127.0.0.1:0", "--log-level", "warning"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var seen = ""
        while !seen.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw Stats.ChildFailure(description: "serve did not start") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = seen.split(separator: "\n").first, line.hasPrefix("listening on ") else {
            throw Stats.ChildFailure(description: "serve printed \(seen)")
        }
        url = String(line.dropFirst("listening on ".count))
    }

    func get(_ path: String) throws -> Data {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["--silent", "--fail", url + path]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return data
    }

    func storedEvents() throws -> Int {
        let text = String(decoding: try get("/metrics"), as: UTF8.self)
        let line = text.split(separator: "\n").first {
            $0.hasPrefix("enroll_audit_ingest_events_total{outcome=\"appended\"}")
        }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? 0) } ?? 0
    }

    func firstEnrollment() throws -> String {
        let page = try JSONSerialization.jsonObject(with: try get("/v1/enrollments?limit=1")) as? [String: Any]
        let first = (page?["enrollments"] as? [[String: Any]])?.first
        guard let id = first?["enrollment"] as? String else {
            throw Stats.ChildFailure(description: "no enrollment in the served store")
        }
        return id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Runs `wrk` and reads its report.
enum Wrk {
    struct Result {
        var requests = 0
        var errors = 0
        var seconds = 0.0
        var p50 = 0.0
        var p99 = 0.0
        /// Only with a script that prints it (``ConsoleMeasurement/p95Script``).
        var p95 = 0.0
        var okPerSecond: Double { Double(requests - errors) / max(seconds, 1e-9) }
    }

    static func arguments(url: String, connections: Int, seconds: Int, script: String?, scriptArguments: [String])
        -> [String]
    {
        var arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "--timeout", "10s"]
        if let script { arguments += ["-s", script] }
        return arguments + [url] + (scriptArguments.isEmpty ? [] : ["--"] + scriptArguments)
    }

    static func start(url: String, connections: Int, seconds: Int, script: String?, scriptArguments: [String] = [])
        throws -> Process
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = arguments(
            url: url, connections: connections, seconds: seconds, script: script, scriptArguments: scriptArguments)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func run(
        url: String, connections: Int, seconds: Int, script: String? = nil, scriptArguments: [String] = []
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = arguments(
            url: url, connections: connections, seconds: seconds, script: script, scriptArguments: scriptArguments)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return parse(text)
    }

    /// Reads `N requests in Xs`, `Non-2xx or 3xx responses: N`, socket errors and the 50%/99% latencies.
    static func parse(_ text: String) -> Result {
        var result = Result()
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.contains("requests in"), fields.count >= 4 {
                result.requests = Int(fields[0]) ?? 0
                result.seconds = duration(String(fields[3].trimmingCharacters(in: [","]))) / 1000
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let count = fields.last.flatMap({ Int($0) }) {
                result.errors += count
            } else if line.hasPrefix("Socket errors:") {
                for field in line.split(separator: ",") {
                    if let count = field.split(separator: " ").last.flatMap({ Int($0) }) { result.errors += count }
                }
            } else if fields.count == 2 && fields[0] == "50%" {
                result.p50 = duration(String(fields[1]))
            } else if fields.count == 2 && fields[0] == "99%" {
                result.p99 = duration(String(fields[1]))
            } else if fields.count == 2 && fields[0] == "p95_ms" {
                result.p95 = Double(fields[1]) ?? 0
            }
        }
        return result
    }

    /// A wrk duration (`812.00us`, `1.23ms`, `2.01s`, `1.00m`) in milliseconds.
    static func duration(_ text: String) -> Double {
        for (suffix, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)]
        where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? 0) * factor
        }
        return Double(text) ?? 0
    }
}

extension Driver {
    /// The `serve` rows of `make bench`: the first 40,000 webhook lines posted by wrk to a real `serve`.
    /// Baselines of the same run: the CLI's bulk ingest of the same bodies (throughput), a durable single
    /// append through the library (acknowledgement latency), the in-process timeline query (read latency).
    mutating func measureServe(webhooks: String, haveCLI: Bool) throws {
        guard haveCLI, FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            log("serve: skipped (needs the CLI and wrk)")
            return
        }
        let directory = "\(parameters.directory)/serve"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let subset = "\(directory)/webhooks.ndjson"
        let lines = try String(contentsOfFile: webhooks, encoding: .utf8).split(separator: "\n").prefix(40_000)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: subset))
        log("serve under wrk × \(parameters.runs) (64 connections; 200 readers while 16 connections post)")
        let serve = try medians(["serve", "--cli", parameters.cli, "--webhooks", subset, "--dir", directory])
        report.raw["serve"] = serve
        let acknowledged = serve["acknowledged_per_second"] ?? 0
        report.add(
            "`serve`: acknowledged webhooks, 64 connections, durability full", acknowledged, unit: "events/s",
            baseline: "CLI bulk ingest of the same bodies", serve["bulk_events_per_second"] ?? 0,
            higherIsBetter: true, goal: "≥ 10,000/s", met: acknowledged >= 10_000)
        let timeline = (report.raw["queries"] ?? [:]).reduce(into: [String: Double]()) {
            $0[$1.key.replacingOccurrences(of: "timeline_", with: "")] = $1.value
        }
        let latencies: [(key: String, scenario: String, baseline: String, values: [String: Double], goal: Double)] = [
            (
                "ack", "`serve`: webhook acknowledgement", "durable single append (library)",
                report.raw["single"] ?? [:], 50
            ),
            (
                "read", "`serve`: GET /v1/timeline/{id}, 200 readers back to back while ingesting",
                "timeline query in process", timeline, 20
            ),
            (
                "paced", "`serve`: GET /v1/timeline/{id}, 200 readers pausing 100 ms while ingesting",
                "timeline query in process", timeline, 20
            ),
        ]
        for latency in latencies {
            for percentile in ["p50", "p99"] {
                let value = serve["\(latency.key)_\(percentile)_ms"] ?? 0
                report.add(
                    "\(latency.scenario), \(percentile)", value, unit: "ms",
                    baseline: "\(latency.baseline), \(percentile)",
                    latency.values["\(percentile)_ms"] ?? 0, higherIsBetter: false,
                    goal: percentile == "p99" ? "< \(Int(latency.goal)) ms" : "(report)",
                    met: percentile == "p99" ? value < latency.goal : nil)
            }
        }
    }
}
