import EnrollmentDomain
import Foundation
import TestSupport
import Testing

/// Lookups as support staff type them, the filters they ask for, and paging through a long list.
struct CLILookupTests {
    let samples: SampleStoreFile
    let asOf = ["--as-of", SampleStoreFile.asOf]

    init() throws {
        samples = try SampleStoreFile()
    }

    func enrollments(_ arguments: [String]) throws -> [[String: JSONValue]] {
        let result = try samples.run(["devices", "--format", "json"] + arguments + asOf)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try Parsed.array(result.stdout).compactMap(\.objectValue)
    }

    @Test(arguments: [
        "20732aa5-911a-4c7b-8d5d-d1362b031301", "20732AA5-911A-4C7B-8D5D-D1362B031301",
        "  20732aa5-911a-4c7b-8d5d-d1362b031301 ", "UE-b12e67531613", " TOM.ROSSI@fabrikam.com\t",
    ])
    func anIdInAnyCaseOrWithSpacesIsFound(_ id: String) throws {
        let result = try samples.run(["show", id, "--format", "json"] + asOf)
        #expect(result.status == 0, "\(id.debugDescription): \(result.stderr)")
        #expect(try Parsed.array(result.stdout).first?.objectValue?["enrollment"] == .string("UE-b12e67531613"))
    }

    @Test func aUserIsFoundByTheBeginningOfTheirUPN() throws {
        let full = try enrollments(["--user", "maya.silva@contoso.com"])
        #expect(full.count == 2)
        let prefix = try enrollments(["--user", "Maya.Silva"])
        #expect(prefix.map { $0["enrollment"] } == full.map { $0["enrollment"] })
        let nobody = try enrollments(["--user", "zz-nobody"])
        #expect(nobody.isEmpty)
    }

    @Test func filtersKeepOnlyWhatTheyName() throws {
        let all = try enrollments([])
        func check(_ arguments: [String], _ keep: ([String: JSONValue]) -> Bool) throws {
            let listed = try enrollments(arguments)
            let expected = all.filter(keep)
            #expect(!expected.isEmpty, "\(arguments): the samples have some")
            #expect(listed.map { $0["enrollment"] } == expected.map { $0["enrollment"] }, "\(arguments)")
        }
        try check(["--model", "IPHONE16,1"]) { $0["model"] == .string("iPhone16,1") }
        try check(["--os", "18"]) { ($0["os_version"]?.stringValue ?? "").hasPrefix("18.") }
        try check(["--os", "17.6"]) {
            ["17.6", "17.6.1"].contains($0["os_version"]?.stringValue ?? "")
                || ($0["os_version"]?.stringValue ?? "").hasPrefix("17.6.")
        }
        try check(["--step", "jit_registration"]) { $0["step"] == .string("jit_registration") }
        try check(["--domain", "fabrikam.com"]) { ($0["user"]?.stringValue ?? "").hasSuffix("@fabrikam.com") }
        try check(["--reason", "authenticator_missing"]) {
            $0["failure"]?.objectValue?["reason"] == .string("authenticator_missing")
                || $0["last_problem"]?.objectValue?["reason"] == .string("authenticator_missing")
        }
    }

    @Test(arguments: ["first-seen", "last-seen", "last-step", "user"])
    func pagesWithAfterWalkTheWholeListOnceInItsOrder(_ sort: String) throws {
        let whole = try enrollments(["--sort", sort]).compactMap { $0["enrollment"]?.stringValue }
        #expect(whole.count > 10)
        var paged: [String] = []
        var after: [String] = []
        for _ in 0..<100 {
            let page = try enrollments(["--sort", sort, "--limit", "7"] + after).compactMap {
                $0["enrollment"]?.stringValue
            }
            paged += page
            guard page.count == 7, let last = page.last else { break }
            after = ["--after", last]
        }
        #expect(paged == whole)
        #expect(Set(paged).count == paged.count)
    }

    @Test func everyFormatStreamsTheSameList() throws {
        let json = try enrollments([]).compactMap { $0["enrollment"]?.stringValue }
        let ndjson = try Parsed.lines(samples.run(["devices", "--format", "ndjson"] + asOf).stdout)
            .compactMap { $0.objectValue?["enrollment"]?.stringValue }
        let csv = try Parsed.csv(samples.run(["devices", "--format", "csv"] + asOf).stdout).rows.compactMap {
            $0["enrollment"]
        }
        let table = try samples.run(["devices"] + asOf).stdout.split(separator: "\n").dropFirst().map {
            String($0.prefix { $0 != " " })
        }
        #expect(ndjson == json)
        #expect(csv == json)
        #expect(table == json)
    }

    @Test func anAfterThatNamesNoEnrollmentIsNotFound() throws {
        let result = try samples.run(["devices", "--after", "UE-nope"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("error: no enrollment 'UE-nope' to continue after"))
    }

    @Test func timelineSinceUntilShowsWhatChangedInAWindow() throws {
        let result = try samples.run(
            [
                "timeline", "UE-b12e67531613", "--format", "ndjson", "--since", "2026-10-05T22:52:00Z", "--until",
                "2026-10-05T22:53:00Z",
            ] + asOf)
        #expect(result.status == 0, "\(result.stderr)")
        let times = try Parsed.lines(result.stdout).compactMap { $0.objectValue?["occurred_at"]?.stringValue }
        #expect(!times.isEmpty)
        #expect(times.allSatisfy { $0 >= "2026-10-05T22:52:00" && $0 < "2026-10-05T22:53:00" }, "\(times)")
    }
}
