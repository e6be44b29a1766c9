import PostgresNIO
import Projections

/// The columns of `device_status` on PostgreSQL (as on SQLite, `user` quoted), read into and bound from a
/// ``DeviceStatusRow``, its texts as stored (``PostgresText``).
enum PostgresDeviceStatusColumns {
    static let names = [
        "enrollment", "\"user\"", "user_key", "entra_user_id", "state", "step", "step_index", "failure_step",
        "failure_reason", "os_version", "model", "first_seen", "last_seen", "last_step_at", "enrolled_at",
        "time_to_enroll_ms", "events", "problem_type", "problem_reason", "problem_at", "conflicts",
    ]

    /// ``names``, for a SELECT list.
    static let select = names.joined(separator: ", ")

    /// A row read with ``select``.
    static func decode(_ row: PostgresRow) throws -> DeviceStatusRow {
        let cells = row.makeRandomAccess()
        func text(_ index: Int) throws -> String? { PostgresText.decode(try cells[index].decode(String?.self)) }
        func integer(_ index: Int) throws -> Int64? { try cells[index].decode(Int64?.self) }
        return DeviceStatusRow(
            enrollment: PostgresText.decode(try cells[0].decode(String.self)), user: try text(1), userKey: try text(2),
            entraUserID: try text(3), state: PostgresText.decode(try cells[4].decode(String.self)), step: try text(5),
            stepIndex: try cells[6].decode(Int64.self), failureStep: try text(7), failureReason: try text(8),
            osVersion: try text(9), model: try text(10), firstSeen: try cells[11].decode(Int64.self),
            lastSeen: try cells[12].decode(Int64.self), lastStepAt: try cells[13].decode(Int64.self),
            enrolledAt: try integer(14), timeToEnrollMilliseconds: try integer(15),
            events: try cells[16].decode(Int64.self), problemType: try text(17), problemReason: try text(18),
            problemAt: try integer(19), conflicts: try text(20))
    }

    /// Appends the values of ``names`` for `row` to `bindings`.
    static func bind(_ row: DeviceStatusRow, to bindings: inout PostgresBindings) {
        bindings.append(PostgresText.encode(row.enrollment))
        bindings.append(PostgresText.encode(row.user))
        bindings.append(PostgresText.encode(row.userKey))
        bindings.append(PostgresText.encode(row.entraUserID))
        bindings.append(PostgresText.encode(row.state))
        bindings.append(PostgresText.encode(row.step))
        bindings.append(row.stepIndex)
        bindings.append(PostgresText.encode(row.failureStep))
        bindings.append(PostgresText.encode(row.failureReason))
        bindings.append(PostgresText.encode(row.osVersion))
        bindings.append(PostgresText.encode(row.model))
        bindings.append(row.firstSeen)
        bindings.append(row.lastSeen)
        bindings.append(row.lastStepAt)
        bindings.append(row.enrolledAt)
        bindings.append(row.timeToEnrollMilliseconds)
        bindings.append(row.events)
        bindings.append(PostgresText.encode(row.problemType))
        bindings.append(PostgresText.encode(row.problemReason))
        bindings.append(row.problemAt)
        bindings.append(PostgresText.encode(row.conflicts))
    }
}

/// A multi-row `INSERT … VALUES (…), (…)` built with bound parameters (postgres-nio binds no arrays of
/// optionals, so `unnest` cannot carry NULLs): at most ``rowsPerStatement`` rows per statement.
struct PostgresMultiRowInsert {
    /// The statement's head, up to `VALUES`.
    let head: String
    /// What follows the rows (`ON CONFLICT …`).
    let tail: String
    let columns: Int

    /// PostgreSQL binds at most 65,535 parameters per statement.
    var rowsPerStatement: Int { 65_535 / columns }

    /// The statements that insert `rows`, each row's values appended by `bind`.
    func statements<Row>(_ rows: [Row], bind: (Row, inout PostgresBindings) -> Void) -> [PostgresQuery] {
        var statements: [PostgresQuery] = []
        var start = 0
        while start < rows.count {
            let slice = rows[start..<min(start + rowsPerStatement, rows.count)]
            var bindings = PostgresBindings(capacity: slice.count * columns)
            var sql = head + " VALUES "
            var parameter = 0
            for (offset, row) in slice.enumerated() {
                bind(row, &bindings)
                if offset > 0 { sql += ", " }
                sql += "("
                sql += (0..<columns).map { index in "$\(parameter + index + 1)" }.joined(separator: ", ")
                sql += ")"
                parameter += columns
            }
            statements.append(PostgresQuery(unsafeSQL: sql + " " + tail, binds: bindings))
            start += slice.count
        }
        return statements
    }
}
