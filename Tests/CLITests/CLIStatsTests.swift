import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// `stats` on the samples: the JSON a dashboard reads, and Prometheus text a scraper accepts.
struct CLIStatsTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    @Test func jsonCountsAgreeWithTheDeviceList() throws {
        let result = try samples.run(["stats", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let stats = try Parsed.object(result.stdout)
        let devices = try Parsed.array(samples.run(["devices", "--format", "json"]).stdout)
        #expect(stats["enrollments"] == .int(Int64(devices.count)))

        let states = try #require(stats["states"]?.objectValue)
        #expect(Set(states.keys) == ["enrolled", "in_progress", "failed", "declined", "fallback", "unenrolled"])
        for (state, count) in states {
            #expect(count.intValue == Int64(devices.filter { $0["state"] == .string(state) }.count), "\(state)")
        }
        let funnel = try #require(stats["funnel"]?.objectValue)
        #expect(funnel.count == 7)
        #expect(funnel["discovery"]?.intValue ?? 0 >= funnel["authenticator_installed"]?.intValue ?? .max)
        let failures = try #require(stats["failures"]?.objectValue)
        #expect(failures["DeviceCapReached"] == .int(1))
        #expect(failures.values.compactMap(\.intValue).reduce(0, +) == states["failed"]?.intValue)

        let time = try #require(stats["time_to_enroll_s"]?.objectValue)
        let p50 = try #require(time["p50"]?.doubleValue)
        let p90 = try #require(time["p90"]?.doubleValue)
        let p99 = try #require(time["p99"]?.doubleValue)
        #expect(0 < p50 && p50 <= p90 && p90 <= p99)
    }

    @Test func aTimeRangeAndADailyBreakdownPartitionTheFleet() throws {
        let range = ["--since", "2026-10-01", "--until", "2026-10-08"]
        let stats = try Parsed.object(samples.run(["stats", "--by", "day", "--format", "json"] + range).stdout)
        let all = try Parsed.object(samples.run(["stats", "--format", "json"]).stdout)
        let total = try #require(stats["enrollments"]?.intValue)
        #expect(total > 0 && total < all["enrollments"]?.intValue ?? 0)
        let days = try #require(stats["days"]?.arrayValue)
        #expect(days.compactMap { $0["enrollments"]?.intValue }.reduce(0, +) == total)
        for day in days {
            let name = try #require(day["day"]?.stringValue)
            #expect(name >= "2026-10-01" && name < "2026-10-08")
        }
        let table = try samples.run(["stats", "--by", "day"] + range)
        #expect(table.stdout.hasPrefix("Fleet: \(total) enrollments\n"))
        #expect(table.stdout.contains("\n2026-10-01: "))
    }

    @Test func aRangeThatCutsDaysInTwoAgreesWithTheDeviceList() throws {
        // Whole days come from the per-day aggregate, the cut days at both ends from device_status.
        let range = ["--since", "2026-10-02T09:30:00Z", "--until", "2026-10-06T14:15:00.500Z"]
        let stats = try Parsed.object(samples.run(["stats", "--format", "json"] + range).stdout)
        let devices = try Parsed.array(samples.run(["devices", "--format", "json"] + range).stdout)
        #expect(devices.count > 3)
        #expect(stats["enrollments"] == .int(Int64(devices.count)))
        let states = try #require(stats["states"]?.objectValue)
        for (state, count) in states {
            #expect(count.intValue == Int64(devices.filter { $0["state"] == .string(state) }.count), "\(state)")
        }
    }

    @Test func prometheusOutputIsValidTextExposition() throws {
        let result = try samples.run(["stats", "--format", "prometheus"])
        #expect(result.status == 0)
        let samples = try PrometheusText.parse(result.stdout)
        #expect(samples.contains { $0.name == "enroll_audit_enrollments" && $0.value == 83 })
        #expect(samples.contains { $0.name == "enroll_audit_enrollments_by_state" && $0.labels["state"] == "failed" })
        #expect(
            samples.contains {
                $0.name == "enroll_audit_failures" && $0.labels["reason"] == "DeviceCapReached" && $0.value == 1
            })
        #expect(samples.filter { $0.name == "enroll_audit_time_to_enroll_seconds" }.count == 3)
    }

    @Test func prometheusOfAnEmptyStoreIsValidAndZero() throws {
        let directory = TemporaryDirectory()
        let store = directory.path("empty.sqlite")
        #expect(try CommandLineTool.run(["ingest", "--store", store, "-"]).status == 0)
        let result = try CommandLineTool.run(["stats", "--store", store, "--format", "prometheus"])
        #expect(result.status == 0)
        let samples = try PrometheusText.parse(result.stdout)
        #expect(samples.contains { $0.name == "enroll_audit_enrollments" && $0.value == 0 })
        #expect(samples.allSatisfy { $0.value == 0 })
    }

    @Test func theParserRejectsWhatAScraperWould() throws {
        #expect(throws: PrometheusText.Invalid.self) { try PrometheusText.parse("no_type_line 1\n") }
        #expect(throws: PrometheusText.Invalid.self) {
            try PrometheusText.parse("# TYPE m gauge\nm{reason=\"unterminated} 1\n")
        }
        #expect(throws: PrometheusText.Invalid.self) { try PrometheusText.parse("# TYPE 1m gauge\n1m 1\n") }
        #expect(throws: PrometheusText.Invalid.self) { try PrometheusText.parse("# TYPE m gauge\nm one\n") }
        #expect(throws: PrometheusText.Invalid.self) {
            try PrometheusText.parse("# TYPE m gauge\nm{a=\"1\",a=\"2\"} 1\n")
        }
        #expect(try PrometheusText.parse("# TYPE m gauge\nm{a=\"x\\\"y\",b=\"\"} +Inf\n").count == 1)
    }
}

/// A strict reader of the Prometheus text exposition format (0.0.4), enough to validate our output.
enum PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Invalid: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static var metricName: Regex<Substring> { /[a-zA-Z_:][a-zA-Z0-9_:]*/ }
    static var labelName: Regex<Substring> { /[a-zA-Z_][a-zA-Z0-9_]*/ }
    static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    /// Every sample; throws at the first line a scraper would refuse.
    static func parse(_ text: String) throws -> [Sample] {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Invalid(line: 0, reason: "no final newline") }
        var typed: [String: String] = [:]
        var samples: [Sample] = []
        var seenSeries: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { continue }
                guard parts[2].wholeMatch(of: metricName) != nil else {
                    throw Invalid(line: number, reason: "bad metric name '\(parts[2])'")
                }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, types.contains(String(parts[3])) else {
                        throw Invalid(line: number, reason: "bad TYPE line")
                    }
                    guard typed[String(parts[2])] == nil else { throw Invalid(line: number, reason: "second TYPE") }
                    guard !samples.contains(where: { $0.name == parts[2] }) else {
                        throw Invalid(line: number, reason: "TYPE after samples of \(parts[2])")
                    }
                    typed[String(parts[2])] = String(parts[3])
                }
                continue
            }
            let sample = try parseSample(Substring(line), line: number)
            guard typed[sample.name] != nil else {
                throw Invalid(line: number, reason: "\(sample.name) has no TYPE line before it")
            }
            let series = sample.name + sample.labels.sorted { $0.key < $1.key }.description
            guard seenSeries.insert(series).inserted else { throw Invalid(line: number, reason: "repeated series") }
            samples.append(sample)
        }
        return samples
    }

    static func parseSample(_ line: Substring, line number: Int) throws -> Sample {
        guard let name = line.prefixMatch(of: metricName)?.output else {
            throw Invalid(line: number, reason: "no metric name")
        }
        var rest = line[name.endIndex...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let label = rest.prefixMatch(of: labelName)?.output else {
                    throw Invalid(line: number, reason: "bad label name")
                }
                rest = rest[label.endIndex...]
                guard rest.hasPrefix("=\"") else { throw Invalid(line: number, reason: "label without =\"") }
                rest = rest.dropFirst(2)
                var value = ""
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "\"" {
                        closed = true
                        break
                    }
                    if character == "\\" {
                        switch rest.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Invalid(line: number, reason: "bad escape")
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw Invalid(line: number, reason: "unterminated label value") }
                guard labels.updateValue(value, forKey: String(label)) == nil else {
                    throw Invalid(line: number, reason: "repeated label \(label)")
                }
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw Invalid(line: number, reason: "expected , or }")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Invalid(line: number, reason: "no space before the value") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count) else { throw Invalid(line: number, reason: "bad value/timestamp") }
        let value: Double
        switch fields[0] {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(fields[0]), parsed.isFinite else {
                throw Invalid(line: number, reason: "bad value '\(fields[0])'")
            }
            value = parsed
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Invalid(line: number, reason: "bad timestamp") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
