import Foundation

/// The results of one `run`: rows of figure, baseline and ratio, raw medians, and the machine.
struct Report {
    struct Row {
        var scenario: String
        var value: Double
        var unit: String
        var baseline: String
        var baselineValue: Double
        /// true: ratio = value / baseline (higher is better); false: ratio = baseline / value.
        var higherIsBetter: Bool
        var goal: String
        var met: Bool?

        /// Always "how good against the baseline": ≥ 1 means as good as the baseline or better.
        var ratio: Double {
            higherIsBetter ? value / max(baselineValue, 1e-12) : baselineValue / max(value, 1e-12)
        }
    }

    var rows: [Row] = []
    var raw: [String: [String: Double]] = [:]
    var parameters: [String: Double] = [:]
    var requestedEvents = 0
    /// Why the main size is smaller than requested ("" when it is not).
    var fallback = ""
    /// Rows left out and why (a peer that could not be installed, no PostgreSQL), printed under the table.
    var notes: [String] = []
    /// What measured it, for the first sentence of the Markdown.
    var command = "`make bench`"
    let started = Date()
    var finished = Date()
    let loadAtStart = Report.loadAverage()

    mutating func add(
        _ scenario: String, _ value: Double, unit: String, baseline: String, _ baselineValue: Double,
        higherIsBetter: Bool, goal: String, met: Bool? = nil
    ) {
        rows.append(
            Row(
                scenario: scenario, value: value, unit: unit, baseline: baseline, baselineValue: baselineValue,
                higherIsBetter: higherIsBetter, goal: goal, met: met))
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func count(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
    }

    static func figure(_ value: Double, _ unit: String) -> String {
        switch unit {
        case "events/s": return "\(count(value)) \(unit)"
        case "ms": return String(format: value < 10 ? "%.2f ms" : "%.1f ms", value)
        case "MiB": return String(format: "%.1f MiB", value)
        case "fsyncs": return String(format: "%.2f", value)
        default: return String(format: "%.1f %@", value, unit)
        }
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The machine: cores, CPU model, kernel.
    static func machine() -> [String: String] {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map(String.init) ?? "" } ?? ""
        if model.isEmpty {
            // aarch64 kernels have no "model name" in /proc/cpuinfo.
            model = Stats.shellOutput("lscpu | sed -n 's/^Model name: *//p' | head -1")
            let vendor = Stats.shellOutput("lscpu | sed -n 's/^Vendor ID: *//p' | head -1")
            if !vendor.isEmpty { model = "\(vendor) \(model)" }
        }
        return [
            "nproc": String(ProcessInfo.processInfo.activeProcessorCount),
            "cpu": model.trimmingCharacters(in: .whitespaces), "kernel": Stats.shellOutput("uname -srm"),
        ]
    }

    func verdict(_ row: Row) -> String {
        guard let met = row.met else { return row.goal }
        return "\(row.goal) \(met ? "✓" : "✗")"
    }

    func textTable() -> String {
        let header = ["scenario", "figure", "baseline", "baseline figure", "ratio", "goal"]
        let lines = rows.map { row in
            [
                row.scenario, Report.figure(row.value, row.unit), row.baseline,
                Report.figure(row.baselineValue, row.unit), String(format: "%.2f", row.ratio), verdict(row),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + lines).map { $0[column].count }.max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([render(header)] + lines.map(render)).joined(separator: "\n")
    }

    /// How many runs the CLI queries' percentiles are over, when this run measured them.
    private var cliRuns: String {
        parameters["cli_runs"].map { " (CLI queries: p50/p99 over \(Int($0)) runs)" } ?? ""
    }

    func markdown() -> String {
        let machine = Report.machine()
        let date = ISO8601DateFormatter().string(from: started)
        let seconds = finished.timeIntervalSince(started)
        let text = """
            Measured \(date) by \(command) in \(String(format: "%.0f", seconds)) s on \(machine["nproc"]!) cores, \
            \(machine["cpu"]!), \(machine["kernel"]!); load average \(loadAtStart) at the start, \
            \(Report.loadAverage()) at the end. \(Report.count(parameters["native_events"] ?? 0)) native events \
            (\(Report.count(parameters["webhook_lines"] ?? 0)) webhook lines), \
            \(Report.count(parameters["small_events"] ?? 0)) for the small size of the memory rows; every figure \
            is the median of \(Int(parameters["runs"] ?? 0)) runs\(cliRuns). Ratio: the figure against its baseline, ≥ 1 as good or \
            better (events/s: figure ÷ baseline; ms, MiB, bytes: baseline ÷ figure).\(fallback.isEmpty ? "" : " **Size: \(fallback).**")


            """
        return text + markdownRows() + (notes.isEmpty ? "" : "\n" + notes.map { "- \($0)\n" }.joined())
    }

    /// The rows as a Markdown table.
    func markdownRows() -> String {
        var text = """
            | scenario | figure | baseline | baseline figure | ratio | goal |
            |---|---:|---|---:|---:|---|

            """
        // A pipe inside a cell (even in a code span) must be escaped in a Markdown table.
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        for row in rows {
            text += "| \(cell(row.scenario)) | \(Report.figure(row.value, row.unit)) | \(cell(row.baseline)) | "
            text += "\(Report.figure(row.baselineValue, row.unit)) | \(String(format: "%.2f", row.ratio)) | "
            text += "\(verdict(row)) |\n"
        }
        return text
    }

    static let beginMarker = "<!-- bench:begin (written by `make bench`; edit the prose around it) -->"
    static let endMarker = "<!-- bench:end -->"

    /// Replaces what is between the markers of `path` (the hand-written prose around them stays).
    func writeMarkdown(into path: String) throws {
        let existing =
            (try? String(contentsOfFile: path, encoding: .utf8))
            ?? "# Performance\n\n\(Report.beginMarker)\n\(Report.endMarker)\n"
        guard let begin = existing.range(of: Report.beginMarker), let end = existing.range(of: Report.endMarker),
            begin.upperBound <= end.lowerBound
        else {
            throw Stats.ChildFailure(description: "\(path) has no \(Report.beginMarker) … \(Report.endMarker) markers")
        }
        let text = String(existing[..<begin.upperBound]) + "\n" + markdown() + String(existing[end.lowerBound...])
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func writeJSON(to path: String) throws {
        let object: [String: Any] = [
            "date": ISO8601DateFormatter().string(from: started),
            "seconds": finished.timeIntervalSince(started),
            "machine": Report.machine().merging(
                ["load_at_start": loadAtStart, "load_at_end": Report.loadAverage()], uniquingKeysWith: { $1 }),
            "parameters": parameters, "requested_events": requestedEvents, "fallback": fallback, "notes": notes,
            "rows": rows.map { row -> [String: Any] in
                var entry: [String: Any] = [
                    "scenario": row.scenario, "value": row.value, "unit": row.unit, "baseline": row.baseline,
                    "baseline_value": row.baselineValue, "ratio": row.ratio, "goal": row.goal,
                ]
                if let met = row.met { entry["met"] = met }
                return entry
            },
            "raw": raw,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }
}
