import EnrollmentDomain
import Foundation
import Service
import TestSupport
import Testing

/// The read API on the four samples answers what the CLI prints with `--format json`.
struct ReadEndpointTests {
    let samples: SampleStoreFile
    static let asOf = SampleStoreFile.asOf

    init() throws {
        samples = try SampleStoreFile()
    }

    func cli(_ arguments: [String]) throws -> JSONValue {
        let result = try samples.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONParser.parse(Array(result.stdoutData))
    }

    @Test func enrollmentsPageThroughTheSameListDevicesPrints() async throws {
        let expected = try cli(["devices", "--format", "json", "--as-of", Self.asOf])
        try await TestServer.with(storePath: samples.path) { server in
            var collected: [JSONValue] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/enrollments?limit=7&as_of=\(Self.asOf)" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await server.request(.GET, path)
                #expect(page.status == 200)
                let enrollments = try #require(page["enrollments"]?.arrayValue)
                #expect(enrollments.count <= 7)
                collected += enrollments
                cursor = page["next_cursor"]?.stringValue
                pages += 1
            } while cursor != nil && pages < 100
            #expect(JSONValue.array(collected) == expected)
            #expect(pages == (collected.count + 6) / 7)
        }
    }

    @Test(arguments: [
        (["--state", "failed"], "state=failed"), (["--stalled-for", "2h"], "stalled_for=2h"),
        (["--user", "tom.rossi@fabrikam.com"], "user=tom.rossi%40fabrikam.com"),
        (
            ["--since", "2026-10-03T00:00:00Z", "--until", "2026-10-05T00:00:00Z"],
            "since=2026-10-03T00:00:00Z&until=2026-10-05T00:00:00Z"
        ),
    ])
    func enrollmentFiltersMatchTheDevicesOptions(_ options: [String], _ query: String) async throws {
        let expected = try cli(["devices", "--format", "json", "--as-of", Self.asOf] + options)
        try await TestServer.with(storePath: samples.path) { server in
            let answer = try await server.request(.GET, "/v1/enrollments?limit=1000&as_of=\(Self.asOf)&\(query)")
            #expect(answer.status == 200)
            #expect(answer["enrollments"] == expected)
            #expect(answer["next_cursor"] == .null)
        }
    }

    @Test func oneEnrollmentAndATimelineAreWhatShowAndTimelinePrint() async throws {
        let user = "tom.rossi@fabrikam.com"
        let show = try cli(["show", user, "--format", "json", "--as-of", Self.asOf])
        let timeline = try cli(["timeline", user, "--format", "json", "--as-of", Self.asOf])
        try await TestServer.with(storePath: samples.path) { server in
            let enrollment = try await server.request(
                .GET, "/v1/enrollments/tom.rossi%40fabrikam.com?as_of=\(Self.asOf)")
            #expect(enrollment.status == 200)
            #expect(enrollment.json == show)
            let story = try await server.request(.GET, "/v1/timeline/\(user)?as_of=\(Self.asOf)")
            #expect(story.status == 200)
            #expect(story.json == timeline)
            let byStream = try await server.request(.GET, "/v1/timeline/UE-b12e67531613?as_of=\(Self.asOf)")
            #expect(byStream["entries"] == timeline.objectValue?["entries"])
            for path in ["/v1/enrollments/nobody%40contoso.com", "/v1/timeline/nobody@contoso.com"] {
                let missing = try await server.request(.GET, path)
                #expect(missing.status == 404)
                #expect(missing["type"]?.stringValue == "urn:enroll-audit:problem:not-found")
                #expect(missing.text.contains("nobody") == false, "the id is not echoed back")
            }
        }
    }

    @Test func statsAreWhatStatsPrints() async throws {
        let total = try cli(["stats", "--format", "json"])
        let byDay = try cli([
            "stats", "--format", "json", "--by", "day", "--since", "2026-10-01", "--until", "2026-10-08",
        ])
        try await TestServer.with(storePath: samples.path) { server in
            #expect(try await server.request(.GET, "/v1/stats").json == total)
            let days = try await server.request(.GET, "/v1/stats?by=day&since=2026-10-01&until=2026-10-08")
            #expect(days.json == byDay)
        }
    }

    @Test func exportStreamsTheLinesExportPrints() async throws {
        let whole = try samples.run(["export"]).stdout
        // With proof=false, the CLI's export without proofs (the proof-carrying one: ExportProofTests).
        let tom = try samples.run(["export", "--user", "tom.rossi@fabrikam.com", "--no-proof"]).stdout
        let failures = try samples.run(["export", "--type", "profile.install_failed", "--after", "100"]).stdout
        try await TestServer.with(storePath: samples.path) { server in
            let answer = try await server.request(.GET, "/v1/export")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type") == "application/x-ndjson")
            #expect(answer.text == whole)
            #expect(answer.text.split(separator: "\n").count == 912)
            #expect(try await server.request(.GET, "/v1/export?user=tom.rossi@fabrikam.com&proof=false").text == tom)
            // By default one user's export carries proofs, like the CLI's: this store has no checkpoint.
            let unproven = try await server.request(.GET, "/v1/export?user=tom.rossi@fabrikam.com")
            #expect(unproven.status == 409)
            #expect(unproven["type"]?.stringValue == "urn:enroll-audit:problem:no-checkpoint")
            let filtered = try await server.request(.GET, "/v1/export?type=profile.install_failed&after=100")
            #expect(filtered.text == failures)
            #expect(!failures.isEmpty)
        }
    }

    @Test(arguments: [
        "/v1/enrollments?state=bogus", "/v1/enrollments?limit=0", "/v1/enrollments?limit=abc",
        "/v1/enrollments?since=yesterday", "/v1/enrollments?cursor=%%%", "/v1/enrollments?stalled_for=soon",
        "/v1/stats?by=week", "/v1/export?id=a&user=b", "/v1/export?after=-1", "/v1/export?proof=maybe",
        "/v1/events?after=x",
    ])
    func aMalformedParameterIsABadRequestNamingIt(_ path: String) async throws {
        try await TestServer.with(storePath: samples.path) { server in
            let answer = try await server.request(.GET, path)
            #expect(answer.status == 400, "\(path): \(answer.text)")
            #expect(answer["type"]?.stringValue == "urn:enroll-audit:problem:bad-request")
            let name = path.split(separator: "?")[1].split(separator: "=")[0]
            #expect(answer["detail"]?.stringValue?.contains(name) == true, "\(path): \(answer.text)")
        }
    }
}
