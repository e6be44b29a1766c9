import EnrollmentDomain
import EventStore
import Export
import Foundation
import Logging
import Projections
import TestSupport
import Testing

/// The console in a real browser (Tests/Browser/console_browser.py: chromium, chromedriver, Selenium)
/// against a real `serve` with the demo fleet and hostile values; screenshots to
/// `.build/console-screenshots/`.
struct ConsoleBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static var browserInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: chromium)
            && FileManager.default.isExecutableFile(atPath: chromedriver)
    }
    static let screenshots = Fixtures.packageRoot.appendingPathComponent(".build/console-screenshots").path

    /// Script tags, quotes, a `javascript:` URL, an image with a handler, control characters and
    /// bidirectional overrides.
    static let hostile =
        "\"'><script>window.__injected=true</script><a href=\"javascript:alert(2)\" onclick=\"x()\">"
        + "<img src=x onerror=\"window.__injected=true\">\u{1b}[2J\u{7}\u{202e}gnp.exe\u{2066}"

    /// One enrollment whose UPN, model, reason and MDM id are hostile, on a day of its own.
    static func hostileLines() -> [String] {
        let upn = "evil\(hostile)@contoso.com"
        return [
            NewEventLine.make(
                stream: "UE-hostile-browser", type: "mdm.authenticated", at: "2025-01-01T10:00:00Z", user: upn,
                data: ["product_name": "iPhone15,2\(hostile)", "enrollment_id": "E-\(hostile)"]),
            NewEventLine.make(
                stream: "UE-hostile-browser", type: "discovery.failed", at: "2025-01-01T10:01:00Z", user: upn,
                data: [
                    "domain": "contoso.com", "user_identifier": upn, "model_family": "iPhone\(hostile)",
                    "reason": "bad\(hostile)",
                ]),
        ]
    }

    /// What the script checks against, read from the store before serve opens it.
    static func facts(store path: String) throws -> [String: JSONValue] {
        var configuration = StoreConfiguration()
        configuration.projections = ProjectionSet.all
        let store = try SQLiteEventStore(path: path, configuration: configuration, logger: Logger(label: "browser"))
        let queries = EnrollmentQueries(store: store)
        var found: (DeviceStatus, TimelineEntry)?
        for status in try queries.devices(DeviceFilter(stalledFor: 3600)) where status.user != nil {
            let entries = try queries.timeline(of: [status])
            if let entry = entries.last(where: { $0.outcome == .failed && $0.hint != nil }) {
                found = (status, entry)
                break
            }
        }
        guard let (stalled, entry) = found, let hint = entry.hint, let user = stalled.user else {
            throw TestFailure("the demo fleet has no stalled enrollment with a hint")
        }
        let top = try #require(try queries.stats().total.failures.first)
        var byReason = DeviceFilter(state: .failed)
        byReason.reason = top.reason
        let live = NewEventLine.make(
            stream: stalled.enrollment, type: "discovery.succeeded",
            at: Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).iso8601, user: user,
            data: ["domain": "contoso.com", "user_identifier": user])
        return [
            "user": .string(user), "user_prefix": .string(String(user.prefix { $0 != "@" })),
            "stalled": .string(stalled.enrollment), "fix": .string(hint.fix), "cause": .string(hint.cause),
            "ids": .array(stalled.ids.map { .string($0.value) }), "events": .int(Int64(stalled.events)),
            "reason": .string(top.reason), "reason_count": .int(Int64(try queries.deviceCount(byReason))),
            "live_event": .string(live), "live_type": .string("discovery.succeeded"),
        ]
    }

    @Test(
        .enabled(
            if: browserInstalled,
            "chromium and chromium-driver are not installed (Tools/setup installs them: apt-get install chromium chromium-driver)"
        ),
        .timeLimit(.minutes(5)))
    func supportStaffSearchOpenTheStalledEnrollmentDownloadItsExportFilterTheQueueAndSeeTheDashboard() async throws {
        let directory = TemporaryDirectory()
        let store = directory.path("demo.sqlite")
        let demo = try await offThePool { try CommandLineTool.run(["demo", "--store", store]) }
        try #require(demo.status == 0, "demo: \(demo.stderr)")
        let hostileFile = directory.path("hostile.ndjson")
        try Data(Self.hostileLines().ndjsonBody).write(to: URL(fileURLWithPath: hostileFile))
        let ingest = try await offThePool { try CommandLineTool.run(["ingest", "--store", store, hostileFile]) }
        try #require(ingest.status == 0, "ingest: \(ingest.stderr)")
        var setup = try await offThePool { try Self.facts(store: store) }

        let readToken = "browser-read-token-1f2e3d4c5b6a7988"
        let ingestToken = "browser-ingest-token-a1b2c3d4e5f60718"
        let tokens = directory.path("tokens")
        try Data("\(readToken) read\n\(ingestToken) ingest\n".utf8).write(to: URL(fileURLWithPath: tokens))
        let key = directory.path("audit.key")
        let keygen = try await offThePool {
            try CommandLineTool.run(["keygen", "--origin", "example.com/console-browser", "--out", key])
        }
        try #require(keygen.status == 0, "keygen: \(keygen.stderr)")
        let serve = try await offThePool {
            try ServeProcess(store: store, arguments: ["--tokens", tokens, "--checkpoint-key", key])
        }
        defer { serve.kill() }
        let downloads = directory.path("downloads")
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let reason = "bad\(Self.hostile)"
        setup.merge([
            "base_url": .string(serve.baseURL), "token": .string(readToken), "ingest_token": .string(ingestToken),
            "downloads": .string(downloads), "screenshots": .string(Self.screenshots),
            "cli": .string(CommandLineTool.executable.path), "chromium": .string(Self.chromium),
            "chromedriver": .string(Self.chromedriver),
            "key": .string(key + ".pub"), "hostile_enrollment": .string("UE-hostile-browser"),
            "hostile": .object([
                "reason_text": .string(TerminalText.escaped(reason)),
                "visible": .array(
                    [
                        "<script>window.__injected=true</script>", "href=\"javascript:alert(2)\"",
                        "\\u{202e}gnp.exe\\u{2066}", "iPhone15,2\"'><script>", "evil\"'><script>",
                    ].map(JSONValue.string)),
                "never": .array(["\u{1b}", "\u{7}", "\u{202e}", "\u{2066}"].map(JSONValue.string)),
            ]),
        ]) { $1 }
        var argument: [UInt8] = []
        JSONValue.object(setup).write(to: &argument)
        let script = String(decoding: argument, as: UTF8.self)
        let run = try await offThePool { try PythonTool.run(["Tests/Browser/console_browser.py", script]) }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("ok: every browser check passed"))
        for page in ["login", "search", "enrollment", "queue", "dashboard", "hostile"] {
            for width in ["desktop", "phone"] {
                #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(page)-\(width).png"), "\(page)")
            }
        }
    }
}
