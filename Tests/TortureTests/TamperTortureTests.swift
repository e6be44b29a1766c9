import EnrollmentDomain
import EventStore
import Foundation
import GRDB
import TestSupport
import Testing

extension TortureTests {
    /// Every way to alter the file outside the tool, checked through `enroll-audit verify --format json`:
    /// each is named with its position (exit 4), or, for the edits that leave a chain valid on its own,
    /// passes without `--expect-digest` and fails with the digest kept before the edit.
    struct Tamper {
        let directory = TemporaryDirectory()
        static let sampleEvents = 702

        /// What `verify` must say about one kind of edit.
        enum Expectation: Sendable, CustomStringConvertible {
            /// Broken at this position.
            case position(Int64)
            /// Broken without a position (the triggers only, a damaged file).
            case brokenWithoutPosition
            /// A valid chain on its own: only the digest kept before the edit catches it.
            case digestOnly
            /// Not detected at all, even with the digest: the column is not part of the chain.
            case notDetected

            var description: String {
                switch self {
                case .position(let position): "position \(position)"
                case .brokenWithoutPosition: "broken"
                case .digestOnly: "digest only"
                case .notDetected: "not detected"
                }
            }
        }

        /// A new store holding the native sample, closed; returns its path and head digest.
        func sampleStore(_ name: String) throws -> (path: String, digest: String) {
            let path = directory.path("\(name).sqlite")
            let store = try SQLiteEventStore(path: path)
            try store.append(try Fixtures.lines("native.ndjson").map { try NewEvent(ndjsonLine: Array($0.utf8)) })
            return (path, try store.head().digest)
        }

        /// Runs `edit` on a raw connection with the append-only triggers dropped, then puts them back, so
        /// only the chain can tell.
        func tamper(_ path: String, keepTriggersDropped: Bool = false, _ edit: (Database) throws -> Void) throws {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                for trigger in triggers { try db.execute(sql: "DROP TRIGGER \(trigger[0] as String)") }
                try edit(db)
                if !keepTriggersDropped {
                    for trigger in triggers { try db.execute(sql: trigger[1] as String) }
                }
            }
            try queue.close()
        }

        /// `enroll-audit verify --format json [--expect-digest D]`: the exit status and the report.
        func verify(_ path: String, digest: String? = nil) throws -> (status: Int32, report: [String: JSONValue]) {
            var arguments = ["verify", "--store", path, "--format", "json"]
            if let digest { arguments += ["--expect-digest", digest] }
            let run = try CommandLineTool.run(arguments)
            let report = (try? JSONParser.parse(run.stdout).objectValue ?? [:]) ?? [:]
            return (run.status, report)
        }

        /// Recomputes the hash of every row from `position` on, as someone rewriting history would.
        static func rechain(_ db: Database, from position: Int64) throws {
            var previous =
                try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE position = ?", arguments: [position - 1])
                .map { Array($0) } ?? EventHashing.genesis
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.position, e.version, e.recorded_at, e.event_id, s.name, e.type, e.schema, e.occurred_at,
                        e.source, e.user, e.correlation_id, e.codec, e.payload
                    FROM events e JOIN streams s ON s.id = e.stream_id WHERE e.position >= ? ORDER BY e.position
                    """, arguments: [position])
            for row in rows {
                #expect(row[11] as Int64 == 0, "rechain expects plain payloads")
                let data = Array(row[12] as Data)
                let event = NewEvent(
                    eventID: (row[3] as Data).withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) },
                    stream: row[4], type: row[5], schema: row[6], occurredAt: Timestamp(milliseconds: row[7]),
                    source: row[8], user: row[9], correlationID: row[10],
                    data: try JSONParser.parse(data).objectValue ?? [:])
                let canonical = EventHashing.canonicalBytes(
                    position: row[0], version: row[1], recordedAt: Timestamp(milliseconds: row[2]), event: event,
                    data: data)
                previous = EventHashing.chain(previous: previous, canonical: canonical)
                try db.execute(
                    sql: "UPDATE events SET hash = ? WHERE position = ?", arguments: [Data(previous), row[0] as Int64])
            }
        }

        /// Appends a forged row after the head, with a plain payload, and returns its position.
        @discardableResult
        static func forgeRow(_ db: Database, at position: Int64? = nil, hash: Data? = nil) throws -> Int64 {
            let head = try Int64.fetchOne(db, sql: "SELECT max(position) FROM events") ?? 0
            let position = position ?? head + 1
            let streamID = try Int64.fetchOne(db, sql: "SELECT stream_id FROM events WHERE position = 1")!
            let version =
                (try Int64.fetchOne(
                    db, sql: "SELECT max(version) FROM events WHERE stream_id = ?", arguments: [streamID]) ?? 0) + 1
            let data = Array(#"{"app":"forged"}"#.utf8)
            try db.execute(
                sql: """
                    INSERT INTO events (position, event_id, stream_id, version, type, schema, occurred_at, recorded_at,
                        source, user, correlation_id, known_type, codec, dictionary_id, data_size, payload, hash)
                    VALUES (?, ?, ?, ?, 'note.forged', 1, 1790000000000, 1790000000000, 'forger', NULL, NULL, 0, 0,
                        NULL, ?, ?, ?)
                    """,
                arguments: [
                    position, withUnsafeBytes(of: UUID().uuid) { Data($0) }, streamID, version, data.count, Data(data),
                    hash ?? Data(repeating: 0xAB, count: 32),
                ])
            return position
        }

        /// The kinds of edit, each with what `verify` must say.
        static let cases: [(String, Expectation, @Sendable (Database) throws -> Void)] = [
            (
                "flip a byte of a payload", .position(300),
                { db in
                    var payload = try Data.fetchOne(db, sql: "SELECT payload FROM events WHERE position = 300")!
                    payload[payload.count / 2] ^= 0x20
                    try db.execute(sql: "UPDATE events SET payload = ? WHERE position = 300", arguments: [payload])
                }
            ),
            (
                "change type", .position(300),
                { try $0.execute(sql: "UPDATE events SET type = 'x.y' WHERE position = 300") }
            ),
            (
                "change schema", .position(300),
                { try $0.execute(sql: "UPDATE events SET schema = 2 WHERE position = 300") }
            ),
            (
                "change occurred_at", .position(300),
                { try $0.execute(sql: "UPDATE events SET occurred_at = occurred_at - 1 WHERE position = 300") }
            ),
            (
                "change recorded_at", .position(300),
                { try $0.execute(sql: "UPDATE events SET recorded_at = recorded_at + 1 WHERE position = 300") }
            ),
            (
                "change source", .position(300),
                { try $0.execute(sql: "UPDATE events SET source = 'x' WHERE position = 300") }
            ),
            (
                "change user", .position(300),
                { try $0.execute(sql: "UPDATE events SET user = 'mallory@contoso.com' WHERE position = 300") }
            ),
            (
                "set correlation_id", .position(300),
                { try $0.execute(sql: "UPDATE events SET correlation_id = 'c' WHERE position = 300") }
            ),
            (
                "change version", .position(300),
                { try $0.execute(sql: "UPDATE events SET version = version + 1000 WHERE position = 300") }
            ),
            (
                "move to another stream", .position(300),
                {
                    try $0.execute(
                        sql: """
                            UPDATE events SET stream_id = (SELECT max(id) FROM streams), version = version + 100000
                            WHERE position = 300
                            """)
                }
            ),
            (
                "change event_id", .position(300),
                { try $0.execute(sql: "UPDATE events SET event_id = randomblob(16) WHERE position = 300") }
            ),
            (
                "change the hash", .position(300),
                { try $0.execute(sql: "UPDATE events SET hash = randomblob(32) WHERE position = 300") }
            ),
            (
                "change codec", .position(300),
                { db in
                    try db.execute(
                        sql: """
                            UPDATE events SET codec = CASE codec WHEN 0 THEN 1 ELSE 0 END, dictionary_id = NULL
                            WHERE position = 300
                            """)
                }
            ),
            (
                "change data_size", .position(300),
                { try $0.execute(sql: "UPDATE events SET data_size = data_size + 1 WHERE position = 300") }
            ),
            (
                "flag a known type as unknown (not hashed, nothing reads it)", .notDetected,
                { try $0.execute(sql: "UPDATE events SET known_type = 0 WHERE position = 300") }
            ),
            ("delete a row", .position(300), { try $0.execute(sql: "DELETE FROM events WHERE position = 300") }),
            ("delete the first row", .position(1), { try $0.execute(sql: "DELETE FROM events WHERE position = 1") }),
            (
                "swap two rows' positions", .position(300),
                { db in
                    try db.execute(sql: "UPDATE events SET position = 1000000 WHERE position = 300")
                    try db.execute(sql: "UPDATE events SET position = 300 WHERE position = 301")
                    try db.execute(sql: "UPDATE events SET position = 301 WHERE position = 1000000")
                }
            ),
            (
                "insert a forged row in the middle", .position(301),
                { db in
                    try db.execute(sql: "UPDATE events SET position = position + 100000 WHERE position > 300")
                    try db.execute(sql: "UPDATE events SET position = position - 99999 WHERE position > 100000")
                    try forgeRow(db, at: 301)
                }
            ),
            ("append a forged row, hash not recomputed", .position(703), { try forgeRow($0) }),
            (
                "rename a stream", .position(1),
                {
                    try $0.execute(
                        sql:
                            "UPDATE streams SET name = 'UE-forged' WHERE id = (SELECT stream_id FROM events WHERE position = 1)"
                    )
                }
            ),
            (
                "change the payload dictionary", .position(1),
                { try $0.execute(sql: "UPDATE payload_dictionaries SET bytes = randomblob(length(bytes))") }
            ),
            (
                // The chain alone cannot tell these four; the Merkle tree, which they left as it was, can.
                "append a forged row with its hash recomputed", .brokenWithoutPosition,
                { db in
                    let position = try forgeRow(db)
                    try rechain(db, from: position)
                }
            ),
            (
                "truncate the tail", .brokenWithoutPosition,
                { try $0.execute(sql: "DELETE FROM events WHERE position > 650") }
            ),
            ("delete every row", .brokenWithoutPosition, { try $0.execute(sql: "DELETE FROM events") }),
            (
                "edit a row and recompute the whole chain", .brokenWithoutPosition,
                // Rewrites history: payloads in the clear, one user changed, then every hash recomputed.
                { try $0.execute(sql: "UPDATE events SET user = 'mallory@contoso.com' WHERE position = 300") }
            ),
        ]

        @Test func everyEditOfTheFileIsNamedByPositionOrCaughtByTheKeptDigest() throws {
            var table: [String] = []
            for (index, (name, expectation, edit)) in Self.cases.enumerated() {
                let (path, digest) = try sampleStore("case-\(index)")
                if name == "edit a row and recompute the whole chain" {
                    try Self.decompressEveryPayload(path)
                }
                try tamper(path, edit)
                if name == "edit a row and recompute the whole chain" {
                    try tamper(path) { try Self.rechain($0, from: 1) }
                }
                let plain = try verify(path)
                let kept = try verify(path, digest: digest)
                switch expectation {
                case .position(let position):
                    #expect(plain.status == 4, "\(name): exit \(plain.status)")
                    #expect(plain.report["first_bad_position"] == .int(position), "\(name): \(plain.report)")
                    #expect(plain.report["ok"] == .bool(false))
                case .brokenWithoutPosition:
                    #expect(plain.status == 4, "\(name): exit \(plain.status)")
                case .digestOnly:
                    #expect(plain.status == 0, "\(name): \(plain.report)")
                    #expect(kept.status == 4, "\(name) with the digest: exit \(kept.status)")
                    #expect(kept.report["problem"].map { "\($0)".contains("expected digest") } == true)
                case .notDetected:
                    #expect(plain.status == 0 && kept.status == 0, "\(name): now detected, update the docs")
                }
                if case .notDetected = expectation {
                } else {
                    #expect(kept.status == 4, "\(name): the kept digest must always fail")
                }
                table.append("\(name): \(expectation)")
            }
            TortureScale.report("tamper: \(Self.cases.count) edits: \(table.joined(separator: "; "))")
        }

        /// Rewrites every payload as plain JSON (codec 0), as someone recomputing the chain by hand would,
        /// re-hashing nothing: the canonical data is unchanged, so the chain still holds.
        static func decompressEveryPayload(_ path: String) throws {
            var plain: [(Int64, Data)] = []
            let store = try SQLiteEventStore(path: path)
            try store.forEachEvent { event in
                plain.append((event.position, Data(event.event.canonicalData)))
                return true
            }
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "DROP TRIGGER events_refuse_update")
                for (position, data) in plain {
                    try db.execute(
                        sql:
                            "UPDATE events SET codec = 0, dictionary_id = NULL, data_size = ?, payload = ? WHERE position = ?",
                        arguments: [data.count, data, position])
                }
                try db.execute(
                    sql: """
                        CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
                        BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE refused'); END
                        """)
            }
            try queue.close()
        }

        @Test func anUnknownTypeFlaggedKnownIsNamedByPosition() throws {
            let (path, _) = try sampleStore("flag")
            let store = try SQLiteEventStore(path: path)
            try store.append([EventFactory.event(stream: "UE-vendor", type: "vendor.custom_signal")])
            try tamper(path) { try $0.execute(sql: "UPDATE events SET known_type = 1 WHERE position = 703") }
            let plain = try verify(path)
            #expect(plain.status == 4)
            #expect(plain.report["first_bad_position"] == .int(703), "\(plain.report)")
        }

        @Test func droppedTriggersAreReportedWithoutAPosition() throws {
            let (path, digest) = try sampleStore("triggers")
            try tamper(path, keepTriggersDropped: true) { _ in }
            let plain = try verify(path)
            #expect(plain.status == 4)
            #expect(plain.report["triggers_intact"] == .bool(false))
            #expect(plain.report["first_bad_position"] == nil)
            #expect(try verify(path, digest: digest).status == 4)
        }

        @Test func aFileReplacedByAnOlderCopyPassesAloneAndFailsAgainstTheKeptDigest() throws {
            let (path, _) = try sampleStore("older")
            let older = directory.path("older-copy.sqlite")
            try FileManager.default.copyItem(atPath: path, toPath: older)
            // One more event, and the store closed, before the file is swapped back.
            let digest = try { () throws -> String in
                let store = try SQLiteEventStore(path: path)
                try store.append([EventFactory.event(stream: "UE-later")])
                return try store.head().digest
            }()
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: older, toPath: path)
            #expect(try verify(path).status == 0)
            let kept = try verify(path, digest: digest)
            #expect(kept.status == 4)
        }

        @Test func aByteChangedInTheFileWithAHexEditorIsNamedByPosition() throws {
            let (path, _) = try sampleStore("hex")
            var bytes = [UInt8](RawStore.bytes(path))
            // The source column of the sample's events, kept as text: change one letter of one of them.
            let needle = Array("enrollment-service".utf8)
            let at = try #require(
                (0..<(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) })
            bytes[at] = UInt8(ascii: "E")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let plain = try verify(path)
            #expect(plain.status == 4, "\(plain.report)")
            #expect(plain.report["first_bad_position"] != nil, "\(plain.report)")
        }

        @Test func aTruncatedOrGarbledFileIsAnIntegrityFailureNotACrash() throws {
            let (path, _) = try sampleStore("cut")
            let bytes = RawStore.bytes(path)
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
            let cut = try CommandLineTool.run(["verify", "--store", path])
            #expect(cut.status == 4, "\(cut.stdout) \(cut.stderr)")
            var garbled = bytes
            garbled.replaceSubrange(0..<100, with: Data(repeating: 0x41, count: 100))
            try garbled.write(to: URL(fileURLWithPath: path))
            let header = try CommandLineTool.run(["verify", "--store", path])
            #expect(header.status == 4, "\(header.stdout) \(header.stderr)")
            #expect(header.stderr.contains(path))
        }
    }
}
