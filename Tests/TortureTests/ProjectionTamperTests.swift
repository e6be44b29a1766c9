import EnrollmentDomain
import Foundation
import GRDB
import TestSupport
import Testing

extension TortureTests {
    /// Edits of the read models (raw SQL on the file), which the log's checks cannot see, caught by
    /// `verify --projections` through the binary: exit 4, naming the table, the row, the column and both values.
    struct ProjectionTamper {
        let directory = TemporaryDirectory()

        static let cases: [(name: String, sql: String, expected: [String])] = [
            (
                "a device's state set to enrolled",
                """
                UPDATE device_status SET state = 'enrolled'
                WHERE enrollment = (SELECT min(enrollment) FROM device_status WHERE state != 'enrolled')
                """,
                ["table device_status", "column state", #"stored "enrolled""#]
            ),
            (
                "an identity node moved to another root",
                "UPDATE identity_nodes SET root = 'UE-forged' WHERE id = (SELECT min(id) FROM identity_nodes)",
                ["table identity_nodes", "column root", #"stored "UE-forged""#]
            ),
            (
                "a device deleted",
                "DELETE FROM device_status WHERE enrollment = (SELECT max(enrollment) FROM device_status)",
                ["table device_status", "in a rebuild from the log, missing from the store"]
            ),
            (
                "a fleet count raised",
                "UPDATE fleet_stats SET enrollments = enrollments + 1 WHERE enrollments = (SELECT max(enrollments) FROM fleet_stats)",
                ["table fleet_stats", "column enrollments"]
            ),
            (
                "a terminal escape written into a stored value",
                "UPDATE device_status SET user = char(27) || '[31mred' WHERE enrollment = (SELECT min(enrollment) FROM device_status)",
                ["table device_status", "column user", #"stored "\u{1b}[31mred""#]
            ),
            (
                "an identity node added",
                "INSERT INTO identity_nodes (id, root, kinds) VALUES ('forged-device-id', 'UE-forged', 1)",
                ["table identity_nodes", #"row id="forged-device-id": in the store, but not in a rebuild"#]
            ),
        ]

        @Test func everyEditOfAReadModelIsNamedByTableRowAndColumn() throws {
            for (index, (name, sql, expected)) in Self.cases.enumerated() {
                let path = directory.path("projections-\(index).sqlite")
                let ingest = try CommandLineTool.run(["ingest", "--store", path, Fixtures.path("native.ndjson")])
                #expect(ingest.status == 0)
                let clean = try CommandLineTool.run(["verify", "--store", path, "--projections"])
                #expect(clean.status == 0, "\(clean.stdout)")
                #expect(clean.stdout.contains("identical to a rebuild from the log"))
                let queue = try DatabaseQueue(path: path)
                try queue.write { try $0.execute(sql: sql) }
                try queue.close()
                let run = try CommandLineTool.run(["verify", "--store", path, "--projections"])
                let chainOnly = try CommandLineTool.run(["verify", "--store", path])
                #expect(chainOnly.status == 0, "\(name): the log itself is intact")
                #expect(run.status == 4, "\(name): \(run.stdout)")
                for text in expected { #expect(run.stdout.contains(text), "\(name): \(run.stdout)") }
                #expect(!run.stdout.contains("\u{1B}"), "\(name): stored values reach the terminal escaped")
            }
        }
    }
}
