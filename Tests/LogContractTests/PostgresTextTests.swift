import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import PostgresStore
import Projections
import TestSupport
import Testing

/// Texts holding U+0000 (which PostgreSQL `text` cannot hold), the escape character of ``PostgresText``
/// and terminal escapes, in the log and the read models: stored on PostgreSQL and answered as on SQLite,
/// byte for byte; and case folding of the model and reason filters, ASCII only on both backends.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresTextTests {
    let directory = TemporaryDirectory()

    /// Hostile values around U+0000 and U+0001 (the escape), each the enrollment id, model, OS version, UPN
    /// and failure reason of one enrollment. (Not its envelope `user`: the SQLite store cuts one holding
    /// U+0000 when it reads the row back, and its `verify` then fails; PostgreSQL's log is tested alone.)
    static let values = [
        "17\u{0}4", "\u{0}", "\u{1}", "\u{1}\u{1}", "\u{1}\u{2}", "\u{2}", "a\u{0}\u{1}\u{1B}[31mred\u{1B}[0m",
        "\u{1B}]0;owned\u{7}\u{0}", "\u{0}\u{0}x", "plain",
    ]

    /// Strings over an alphabet of the code's edge cases (and a character of two bytes), up to 3 long.
    static let words: [String] = {
        let alphabet = ["\u{0}", "\u{1}", "\u{2}", "a", "\u{1B}", "é"]
        var words = [""]
        var last = [""]
        for _ in 1...3 {
            last = last.flatMap { word in alphabet.map { word + $0 } }
            words += last
        }
        return words
    }()

    @Test func theEncodingIsReversibleHoldsNoU0000AndKeepsByteOrderEqualityAndPrefixes() {
        for word in Self.words {
            let stored = PostgresText.encode(word)
            #expect(!stored.utf8.contains(0), "\(word.debugDescription)")
            #expect(PostgresText.decode(stored) == word, "\(word.debugDescription)")
            #expect(ProjectionDump.decodedPostgresText(stored) == word, "the documented format")
            if !word.utf8.contains(where: { $0 <= 1 }) { #expect(stored == word) }
        }
        for left in Self.words {
            let storedLeft = Array(PostgresText.encode(left).utf8)
            for right in Self.words {
                let storedRight = Array(PostgresText.encode(right).utf8)
                let bytes = (Array(left.utf8), Array(right.utf8))
                #expect(
                    bytes.0.lexicographicallyPrecedes(bytes.1) == storedLeft.lexicographicallyPrecedes(storedRight))
                #expect((bytes.0 == bytes.1) == (storedLeft == storedRight))
                #expect(bytes.1.starts(with: bytes.0) == storedRight.starts(with: storedLeft))
                // "Ends with" is kept for a suffix that begins with a character above U+0002 (the domain
                // filter's begins with "@").
                if bytes.0.first.map({ $0 > 2 }) ?? true {
                    #expect(
                        bytes.1.reversed().starts(with: bytes.0.reversed())
                            == storedRight.reversed().starts(with: storedLeft.reversed()))
                }
            }
        }
    }

    /// One enrollment per hostile value, as native NDJSON.
    static func lines() -> [String] {
        var lines: [String] = []
        for (index, value) in values.enumerated() {
            let stream = "UE-text-\(index)"
            let user = "u\(index)\(value)@contoso.com"
            func event(_ type: String, _ second: Int, _ data: [String: JSONValue]) -> String {
                JSONValue.object([
                    "event_id": .string(UUID().uuidString.lowercased()), "stream": .string(stream),
                    "type": .string(type), "occurred_at": .string("2026-10-01T10:00:0\(second)Z"),
                    "source": .string("nanomdm"), "data": .object(data),
                ]).canonicalString
            }
            lines.append(
                event(
                    "mdm.authenticated", 1,
                    [
                        "enrollment_id": .string("E-\(index)\(value)"), "product_name": .string(value),
                        "os_version": .string(value),
                    ]))
            lines.append(
                event(
                    "discovery.failed", 2,
                    [
                        "domain": .string("contoso.com"), "user_identifier": .string(user),
                        "http_status": .int(200), "reason": .string(value),
                    ]))
        }
        return lines
    }

    /// The same input ingested into a SQLite file and a PostgreSQL database through the binary.
    func stores() throws -> (file: String, database: PostgresCluster.Database) {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let input = directory.path("text.ndjson")
        try Data((Self.lines().joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let file = directory.path("text.sqlite")
        let sqlite = try CommandLineTool.run(["ingest", "--store", file, input])
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let postgres = try CommandLineTool.run(["ingest", "--store", database.address(), input])
        #expect(postgres.status == 0, "\(postgres.stderr)")
        #expect(postgres.stdout == sqlite.stdout, "the same summary")
        return (file, database)
    }

    @Test func textsHoldingU0000AreStoredAndAnsweredOnPostgresByteForByteAsOnSQLite() throws {
        let (file, database) = try stores()
        #expect(try ProjectionDump.postgres(database) == (try ProjectionDump.sqlite(file)))
        let verify = try CommandLineTool.run(["verify", "--store", database.address(), "--projections"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("identical to a rebuild from the log"))
        // The same log with the same `recorded_at` (which the exports and JSON timelines print), its read
        // models written by PostgreSQL's folds.
        let copied = try #require(PostgresCluster.shared).makeDatabase()
        let address = copied.address()
        let copy = try CommandLineTool.run(["copy", "--from", file, "--to", address])
        try #require(copy.status == 0, "\(copy.stderr)")
        #expect(try ProjectionDump.postgres(copied) == (try ProjectionDump.sqlite(file)))
        var commands: [[String]] = [
            ["devices"], ["devices", "--format", "json"], ["devices", "--format", "csv"],
            ["devices", "--sort", "user", "--format", "ndjson"], ["devices", "--state", "failed", "--format", "json"],
            ["stats", "--format", "json"], ["export"], ["export", "--format", "csv"],
        ]
        for index in Self.values.indices {
            commands += [
                ["show", "UE-text-\(index)", "--format", "json"], ["timeline", "UE-text-\(index)"],
                ["timeline", "UE-text-\(index)", "--format", "json"],
            ]
        }
        var shown = 0
        for command in commands {
            let expected = try CommandLineTool.run(command + ["--store", file])
            #expect(expected.status == 0, "\(command): \(expected.stderr)")
            let answered = try CommandLineTool.run(command + ["--store", address])
            #expect(answered.status == expected.status, "\(command): \(answered.stderr)")
            #expect(answered.stdout == expected.stdout, "\(command)")
            // CSV keeps a value's bytes, quoted (and formulas neutralised); every other output escapes them.
            if !command.contains("csv") {
                #expect(!answered.stdout.unicodeScalars.contains { $0.value < 0x09 || $0.value == 0x1B }, "\(command)")
            }
            if answered.stdout.contains("\\u0000") || answered.stdout.contains("\\u{0}") { shown += 1 }
        }
        #expect(shown > Self.values.count, "U+0000 reaches the outputs, escaped")
        for store in [database.address(), address] {
            let log = try CommandLineTool.run(["verify", "--store", store])
            #expect(log.status == 0, "\(log.stdout) \(log.stderr)")
        }
    }

    /// Through the library, on the rows of the ingest, each UPN set to `u<index><value>@contoso.com` (in
    /// SQLite's way: a BLOB when it holds U+0000) and the rows copied into PostgreSQL as they are.
    @Test func filtersSortsAndLookupsOnTextsHoldingU0000AnswerAsOnSQLite() async throws {
        let (file, database) = try stores()
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in
            for (index, value) in Self.values.enumerated() {
                let upn = "u\(index)\(value)@contoso.com"
                let stored: DatabaseValue = upn.utf8.contains(0) ? Data(upn.utf8).databaseValue : upn.databaseValue
                try db.execute(
                    sql: "UPDATE device_status SET \"user\" = ?, user_key = ? WHERE enrollment = ?",
                    arguments: [stored, stored, "UE-text-\(index)"])
                #expect(db.changesCount == 1)
            }
        }
        try queue.close()
        #expect(try await ProjectionRowCopy.copy(from: file, to: database) > Self.values.count)
        var configuration = StoreConfiguration()
        configuration.readOnly = true
        configuration.projections = ProjectionSet.all
        let sqlite: any EnrollmentReadModel = EnrollmentQueries(
            store: try SQLiteEventStore.opening(path: file, configuration: configuration))
        let store = try await PostgresEventStore.open(try PostgresLocation(database.address()), migrate: false)
        let postgres: any EnrollmentReadModel = PostgresEnrollmentQueries(store: store, pageSize: 2)
        func filter(_ change: (inout DeviceFilter) -> Void) -> DeviceFilter {
            var filter = DeviceFilter()
            change(&filter)
            return filter
        }
        var filters = [filter { $0.osVersion = "17" }, filter { $0.user = "u" }, filter { $0.domain = "contoso.com" }]
        for sort in DeviceSort.allCases {
            filters.append(filter { $0.sort = sort })
        }
        var matched = 0
        do {
            let all = try await sqlite.devices(DeviceFilter())
            #expect(all.count == Self.values.count)
            // SQLite cuts a bound String at U+0000 (GRDB binds it as a C string), so a filter or an id holding
            // one finds nothing there; here it finds its own enrollment, as a filter without one does on both.
            var own: [DeviceFilter: [DeviceStatus]] = [:]
            for (index, value) in Self.values.enumerated() {
                let mine = all.filter { $0.enrollment == "UE-text-\(index)" }
                #expect(mine.count == 1)
                // A prefix or suffix never matches a text holding U+0000 (a BLOB on SQLite), whatever it is.
                filters += [filter { $0.user = "u\(index)\(value)@" }, filter { $0.user = "u\(index)" }]
                for each in [
                    filter { $0.model = value }, filter { $0.model = value.uppercased() },
                    filter { $0.osVersion = value }, filter { $0.reason = value },
                ] {
                    if value.utf8.contains(0) { own[each] = mine } else { filters.append(each) }
                }
                for id in ["UE-text-\(index)", "E-\(index)\(value)", "u\(index)\(value)@contoso.com"] {
                    let found = try await postgres.enrollments(matching: id, asOf: nil)
                    if id.utf8.contains(0) {
                        #expect(found == mine, "\(id.debugDescription)")
                    } else {
                        #expect(
                            found == (try await sqlite.enrollments(matching: id, asOf: nil)), "\(id.debugDescription)")
                    }
                }
            }
            for (each, mine) in own {
                #expect(try await postgres.devices(each) == mine, "\(each)")
                #expect(try await postgres.deviceCount(each) == 1, "\(each)")
            }
            for filter in filters {
                let expected = try await sqlite.devices(filter)
                #expect(try await postgres.devices(filter) == expected, "\(filter)")
                #expect(try await postgres.deviceCount(filter) == expected.count, "\(filter)")
                matched += expected.count
                // A keyset page after a row (those of this store hold U+0000 or U+0001 or ESC).
                guard expected.count > 2 else { continue }
                var page = filter
                page.after = expected[1].enrollment
                page.limit = 3
                #expect(try await postgres.devices(page) == (try await sqlite.devices(page)), "\(page)")
            }
            #expect(try await postgres.stats(StatsQuery()) == (try await sqlite.stats(StatsQuery())))
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        #expect(matched > 3 * Self.values.count, "the filters match rows")
    }

    /// The log's envelope texts (`source`, `user`, `correlation_id`) holding U+0000, the escape and terminal
    /// escapes: appended on PostgreSQL (refused with SQLSTATE 22021 before), read back whole, `verify` and
    /// `verify --projections` pass, and the export shows them escaped.
    @Test func envelopeTextsHoldingU0000AreStoredWholeInThePostgresLog() async throws {
        let database = try #require(PostgresCluster.shared).makeDatabase()
        let store = try await PostgresFixture.writer(database)
        var events: [NewEvent] = []
        for (index, value) in Self.values.enumerated() {
            events.append(
                NewEvent(
                    eventID: UUID(), stream: "UE-envelope-\(index)", type: "mdm.authenticated",
                    occurredAt: Timestamp(milliseconds: 1_790_000_000_000 + Int64(index)), source: "src\(value)",
                    user: "u\(index)\(value)@contoso.com", correlationID: value,
                    data: ["enrollment_id": .string("E-env-\(index)"), "product_name": .string(value)]))
        }
        let appended = try await store.append(events, expectedVersions: [:])
        #expect(appended.appended == events.count)
        for event in events {
            let read = try await store.events(inStream: event.stream)
            #expect(read.map(\.event) == [event], "\(event.stream)")
        }
        #expect(try await store.verify().ok)
        await store.close()
        let verify = try CommandLineTool.run(["verify", "--store", database.address(), "--projections"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let export = try CommandLineTool.run(["export", "--store", database.address()])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(#""user":"u017\u00004@contoso.com""#), "\(export.stdout.prefix(400))")
        #expect(!export.stdout.unicodeScalars.contains { $0.value < 0x09 || $0.value == 0x1B })
    }

    /// SQLite's NOCASE folds A–Z only: a model or reason that differs from the filter in the case of a
    /// non-ASCII letter matches on neither backend; one that differs in an ASCII letter's case, on both. The
    /// database's `LC_CTYPE` is `C.utf8`, whose `lower()` would fold every letter of a filter.
    @Test func caseFoldingOfTheModelAndReasonFiltersIsASCIIOnlyOnBothBackends() throws {
        let database = try #require(PostgresCluster.shared).makeDatabase(characterType: "C.utf8")
        let cases: [(stored: String, filter: String, matches: Bool)] = [
            ("Éclair Phone", "Éclair Phone", true), ("Éclair Phone", "ÉCLAIR pHONE", true),
            ("Éclair Phone", "éclair phone", false), ("Straße", "STRASSE", false), ("Straße", "sTRAße", true),
            ("ǅungla", "ǆungla", false), ("Ωmega", "ωMEGA", false), ("Ωmega", "ΩMEGA", true),
        ]
        var lines: [String] = []
        for (index, entry) in cases.enumerated() {
            func event(_ type: String, _ second: Int, _ data: [String: JSONValue]) -> String {
                JSONValue.object([
                    "event_id": .string(UUID().uuidString.lowercased()), "stream": .string("UE-case-\(index)"),
                    "type": .string(type), "occurred_at": .string("2026-10-01T10:00:0\(second)Z"),
                    "source": .string("nanomdm"), "data": .object(data),
                ]).canonicalString
            }
            let model = "\(entry.stored) \(index)"
            lines.append(
                event(
                    "mdm.authenticated", 1,
                    ["enrollment_id": .string("E-case-\(index)"), "product_name": .string(model)]))
            lines.append(
                event(
                    "discovery.failed", 2,
                    [
                        "domain": .string("contoso.com"), "user_identifier": .string("c\(index)@contoso.com"),
                        "http_status": .int(200), "reason": .string(model),
                    ]))
        }
        let input = directory.path("case.ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let file = directory.path("case.sqlite")
        for store in [file, database.address()] {
            let ingest = try CommandLineTool.run(["ingest", "--store", store, input])
            try #require(ingest.status == 0, "\(ingest.stderr)")
        }
        for (index, entry) in cases.enumerated() {
            for option in ["--model", "--reason"] {
                let arguments = [option, "\(entry.filter) \(index)", "--format", "json"]
                let sqlite = try CommandLineTool.run(["devices", "--store", file] + arguments)
                let postgres = try CommandLineTool.run(["devices", "--store", database.address()] + arguments)
                #expect(sqlite.status == 0 && postgres.status == 0, "\(sqlite.stderr) \(postgres.stderr)")
                #expect(postgres.stdout == sqlite.stdout, "\(arguments)")
                #expect(sqlite.stdout.contains("UE-case-\(index)") == entry.matches, "\(arguments): \(sqlite.stdout)")
            }
        }
    }
}
