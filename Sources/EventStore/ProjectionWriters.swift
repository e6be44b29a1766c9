import EnrollmentDomain
import GRDB

/// The writers of a set of projections inside one write transaction, and their checkpoints.
struct ProjectionWriters {
    private let projections: [any InlineProjection]
    private let writers: [any ProjectionWriter]

    init(_ projections: [any InlineProjection], _ db: Database) throws {
        self.projections = projections
        var writers: [any ProjectionWriter] = []
        for projection in projections { writers.append(try projection.makeWriter(db, after: writers)) }
        self.writers = writers
    }

    var isEmpty: Bool { writers.isEmpty }

    func apply(_ event: RecordedEvent) throws {
        for writer in writers { try writer.apply(event) }
    }

    /// Between events, outside any savepoint: each writer's own safe point, then a flush of every writer,
    /// in order, when one of them is at its bound.
    func safePoint() throws {
        for writer in writers { try writer.safePoint() }
        if writers.contains(where: \.needsFlush) {
            for writer in writers { try writer.flush() }
        }
    }

    func willOpenSavepoint() throws {
        for writer in writers { try writer.willOpenSavepoint() }
    }

    func discardCaches() {
        for writer in writers { writer.discardCaches() }
    }

    /// Flushes and finishes every writer, in order, without recording checkpoints (a scratch rebuild).
    func finishWithoutCheckpoints() throws {
        for writer in writers {
            try writer.flush()
            try writer.finish()
        }
    }

    /// Lets each writer finish its deferred work and records each projection's checkpoint at `position`.
    func finish(_ db: Database, position: Int64) throws {
        let checkpoint = try db.cachedStatement(
            sql: """
                INSERT INTO projection_checkpoints(name, version, position) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position
                """)
        for (projection, writer) in zip(projections, writers) {
            try writer.flush()
            try writer.finish()
            try checkpoint.execute(arguments: [projection.name, projection.version, position])
        }
    }
}
