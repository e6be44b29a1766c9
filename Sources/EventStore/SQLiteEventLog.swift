import Dispatch
import EnrollmentDomain

/// A ``SQLiteEventStore`` seen through the backend-neutral ``EventLog`` protocol.
///
/// SQLite's calls block their thread (file I/O, the busy timeout): each call here runs the store's own
/// synchronous method on a Dispatch thread and resumes the caller when it returns, so no Swift concurrency
/// thread and no SwiftNIO event loop ever waits on SQLite. The behaviour is exactly the store's.
public struct SQLiteEventLog: EventLog {
    /// The store every call goes to.
    public let store: SQLiteEventStore

    public init(store: SQLiteEventStore) {
        self.store = store
    }

    public var location: String { store.path }

    /// Runs `body` on a Dispatch thread and returns (or throws) what it did.
    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteEventStore) throws -> T) async throws -> T {
        let store = store
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body(store) })
            }
        }
    }

    @discardableResult
    public func append(_ events: [NewEvent], expectedVersions: [String: Int64]) async throws -> AppendResult {
        try await run { try $0.append(events, expectedVersions: expectedVersions) }
    }

    public func appendVerbatim(_ events: [RecordedEvent]) async throws {
        try await run { try $0.appendVerbatim(events) }
    }

    public func head() async throws -> StoreHead {
        try await run { try $0.head() }
    }

    public func events(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await run { store in
            var events: [RecordedEvent] = []
            events.reserveCapacity(min(limit, 65_536))
            try store.forEachEvent(after: position, limit: limit) { event in
                events.append(event)
                return true
            }
            return events
        }
    }

    public func events(inStream stream: String) async throws -> [RecordedEvent] {
        try await run { try $0.events(inStream: stream) }
    }

    public func treeHead() async throws -> TreeHead {
        try await run { try $0.treeHead() }
    }

    public func treeRoot(size: Int64) async throws -> [UInt8] {
        try await run { try $0.treeRoot(size: size) }
    }

    public func inclusionProofs(indices: [Int64], size: Int64) async throws -> [[[UInt8]]] {
        try await run { try $0.inclusionProofs(indices: indices, size: size) }
    }

    public func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        try await run { try $0.consistencyProof(from: first, to: second) }
    }

    public func signCheckpoint(
        with signer: NoteSigner, extensions: @escaping @Sendable (TreeHead) throws -> [String]
    ) async throws -> SignedCheckpoint {
        try await run { try $0.signCheckpoint(with: signer, extensions: extensions) }
    }

    public func checkpoints() async throws -> [RecordedCheckpoint] {
        try await run { try $0.recordedCheckpoints() }
    }

    public func recordCheckpoint(_ checkpoint: RecordedCheckpoint) async throws {
        try await run { store in
            try store.write { try $0.recordCheckpoint(checkpoint.signed, verifier: checkpoint.verifier) }
        }
    }

    public func verify(
        expectedDigest: String?, expectedPosition: Int64?, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> VerifyReport {
        try await run {
            try $0.verify(expectedDigest: expectedDigest, expectedPosition: expectedPosition, progress: progress)
        }
    }
}

extension SQLiteEventStore {
    /// This store through the backend-neutral ``EventLog`` protocol.
    public var log: SQLiteEventLog { SQLiteEventLog(store: self) }

    /// Appends events exactly as another store recorded them, in one transaction (see
    /// ``EventAppender/appendVerbatim(_:position:version:recordedAt:hash:)``).
    public func appendVerbatim(_ events: [RecordedEvent]) throws {
        try write { appender in
            for recorded in events {
                try appender.appendVerbatim(
                    recorded.event, position: recorded.position, version: recorded.version,
                    recordedAt: recorded.recordedAt, hash: recorded.hash)
            }
        }
    }
}
