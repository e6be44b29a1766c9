import Foundation
import TestSupport
import Testing

/// The command line as people type it: the store before the subcommand, the environment, and bad values
/// refused as usage errors (exit 1) in one line that names the accepted forms.
struct CLIInputCheckTests {
    let samples: SampleStoreFile

    init() throws {
        samples = try SampleStoreFile()
    }

    @Test func theStoreMayComeBeforeTheSubcommandOrFromTheEnvironment() throws {
        let after = try samples.run(["devices", "--format", "ndjson", "--as-of", SampleStoreFile.asOf])
        try #require(after.status == 0)
        let before = try CommandLineTool.run([
            "--store", samples.path, "devices", "--format", "ndjson", "--as-of", SampleStoreFile.asOf,
        ])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout == after.stdout)
        let equals = try CommandLineTool.run([
            "--store=\(samples.path)", "devices", "--format", "ndjson", "--as-of", SampleStoreFile.asOf,
        ])
        #expect(equals.stdout == after.stdout)
        let environment = try CommandLineTool.run(
            ["devices", "--format", "ndjson", "--as-of", SampleStoreFile.asOf],
            environment: ["ENROLL_AUDIT_STORE": samples.path])
        #expect(environment.stdout == after.stdout)
        let missing = samples.directory.path("missing.sqlite")
        let overridden = try CommandLineTool.run(["--store", missing, "devices", "--store", samples.path])
        #expect(overridden.status == 0, "the --store after the subcommand wins")
    }

    static let usageErrors: [(arguments: [String], message: String)] = [
        (["devices", "--limit", "-1"], "error: --limit must not be negative (see 'enroll-audit devices --help')"),
        (["tail", "--limit", "-5"], "error: --limit must not be negative (see 'enroll-audit tail --help')"),
        (
            ["devices", "--stalled-for", "-1h"],
            "error: The value '-1h' is invalid for '--stalled-for <duration>': a duration cannot be negative; "
                + "use a duration such as 90s, 30m, 1h30m, 1.5h, 7d or 2w (a bare number is seconds) "
                + "(see 'enroll-audit devices --help')"
        ),
        (
            ["devices", "--since", "2026-10-01T10:00:00"],
            "error: The value '2026-10-01T10:00:00' is invalid for '--since <time>': a time needs a zone (Z for UTC, "
                + "or an offset such as +02:00); use ISO 8601 with a zone, such as 2026-10-01T16:35:20Z or "
                + "2026-10-01T18:35:20+02:00, a date such as 2026-10-01 (midnight UTC), or now "
                + "(see 'enroll-audit devices --help')"
        ),
        (
            ["stats", "--since", "2026-10-02", "--until", "2026-10-01"],
            "error: --until (2026-10-01T00:00:00.000Z) must be after --since (2026-10-02T00:00:00.000Z) "
                + "(see 'enroll-audit stats --help')"
        ),
        (["devices", "--frobnicate"], "error: Unknown option '--frobnicate' (see 'enroll-audit devices --help')"),
        (["show"], "error: Missing expected argument '<id>' (see 'enroll-audit show --help')"),
    ]

    @Test(arguments: usageErrors)
    func aBadValueIsOneUsageLine(_ arguments: [String], message: String) throws {
        let result = try samples.run(arguments)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == message + "\n")
    }

    @Test(arguments: [
        "abc", " 0ce5d46116d6e873864a807aec9be6d7ebd49280e546a214962f86c3c65b8ccf", String(repeating: "g", count: 64),
    ])
    func aMalformedDigestIsAUsageErrorNotTampering(_ digest: String) throws {
        let result = try samples.run(["verify", "--expect-digest", digest])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: --expect-digest must be the 64 hexadecimal digits"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func anUnknownEventTypeIsRefusedNamingTheKnownOnes() throws {
        let result = try samples.run(["export", "--type", "discovery.succeded"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: unknown event type 'discovery.succeded'; known types: "))
        #expect(result.stderr.contains("discovery.succeeded"))
    }

    @Test(arguments: [("1h30m", "90m"), ("1.5h", "90m"), ("5400", "90m"), ("2w", "14d")])
    func compoundAndDecimalDurationsMeanWhatTheySay(_ duration: String, same: String) throws {
        let base = ["devices", "--stalled-for", "--", "--as-of", SampleStoreFile.asOf, "--format", "ndjson"]
        var first = base
        first[2] = duration
        var second = base
        second[2] = same
        let a = try samples.run(first)
        let b = try samples.run(second)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout == b.stdout)
        #expect(!a.stdout.isEmpty)
    }

    @Test func aTimeWithAnOffsetIsTheSameInstantAsInUTC() throws {
        let utc = try samples.run([
            "devices", "--since", "2026-10-05T22:00:00Z", "--format", "ndjson", "--as-of", SampleStoreFile.asOf,
        ])
        let offset = try samples.run([
            "devices", "--since", "2026-10-06T00:00:00+02:00", "--format", "ndjson", "--as-of", SampleStoreFile.asOf,
        ])
        #expect(utc.status == 0 && offset.status == 0, "\(offset.stderr)")
        #expect(utc.stdout == offset.stdout)
    }

    @Test(arguments: ["ingest", "devices", "show", "timeline", "stats", "export", "verify", "rebuild", "tail", "demo"])
    func helpStatesEachDefaultOnce(_ command: String) throws {
        let help = try CommandLineTool.run([command, "--help"])
        #expect(help.status == 0)
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(
            of: " +", with: " ", options: .regularExpression)
        for option in text.components(separatedBy: " --").dropFirst() {
            let mentions = option.components(separatedBy: "default").count - 1
            #expect(mentions <= 1, "\(command): --\(option.prefix(80))")
        }
    }
}
