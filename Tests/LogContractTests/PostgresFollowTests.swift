import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// `tail --follow` on PostgreSQL wakes on the NOTIFY of each append (LISTEN), reads `after=N`, and prints
/// each event once, in order.
@Suite(.enabled(if: LogBackend.available.contains(.postgres)))
struct PostgresFollowTests {
    /// The follower polls only every 10 minutes here, so only the notification can wake it within the
    /// test's bounds: each event appended by another process (the CLI) is printed before the next one is
    /// appended, in order, none skipped, none twice.
    @Test(.timeLimit(.minutes(8)))
    func aFollowerWokenByNotifyPrintsEachEventAnotherProcessAppendsPromptlyInOrder() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let store = try await PostgresFixture.writer(database)
        try await store.append([ContractEvents.event("UE-tail", 0), ContractEvents.event("UE-tail", 1)])
        await store.close()
        let address = database.address(user: database.writer)
        let process = Process()
        process.executableURL = CommandLineTool.executable
        process.arguments = ["tail", "--store", address, "--after", "1", "--follow", "--poll-interval", "600"]
        process.environment = ProcessInfo.processInfo.environment.merging(["ENROLL_AUDIT_LOG_LEVEL": "info"]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let printed = CollectedOutput()
        let logged = CollectedOutput()
        output.fileHandleForReading.readabilityHandler = { printed.append($0.availableData) }
        errors.fileHandleForReading.readabilityHandler = { logged.append($0.availableData) }
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
            errors.fileHandleForReading.readabilityHandler = nil
        }
        func positions() -> [Int64] {
            printed.text.split(separator: "\n").compactMap {
                (try? JSONParser.parse(String($0)))?["position"]?.intValue
            }
        }
        #expect(printed.wait(seconds: 30) { _ in positions() == [2] }, "the event after position 1")
        #expect(logged.wait(seconds: 30) { $0.contains("listening") }, "LISTEN is in place: \(logged.text)")
        var expected: [Int64] = [2]
        for index in 0..<5 {
            let id = UUID().lowercasedString
            let event =
                #"{"event_id":"\#(id)","stream":"UE-tail","type":"app.installed","occurred_at":"2026-10-01T16:35:2\#(index)Z","source":"test","data":{"bundle_id":"x"}}"#
            let append = try CommandLineTool.run(["append", "--store", address, event])
            #expect(append.status == 0, "\(append.stderr)")
            #expect(append.stdout.contains("appended \(id) at position \(3 + index)"))
            expected.append(Int64(3 + index))
            let seen = printed.wait(seconds: 30) { _ in positions().count >= expected.count }
            #expect(seen, "woken by the notification of position \(3 + index)")
            #expect(positions() == expected)
        }
        #expect(printed.text.contains(#""stream":"UE-tail""#))
    }

    /// The library's follower: pages in order through a burst of concurrent appends by other connections,
    /// each event exactly once, and told that LISTEN is in place.
    @Test(.timeLimit(.minutes(8)))
    func theFollowerSeesABurstOfConcurrentAppendsOnceEachInPositionOrder() async throws {
        let database = try #require(PostgresFixture.cluster).makeDatabase()
        let follower = try await PostgresFixture.writer(database)
        let writers = [
            try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer))),
            try await PostgresEventStore.open(try PostgresLocation(database.address(user: database.writer))),
        ]
        let listening = Counter()
        let seen = Task { () -> [Int64] in
            var positions: [Int64] = []
            do {
                try await follower.follow(
                    after: 0, pollInterval: .seconds(600), listening: { if $0 { listening.increment() } }
                ) {
                    page in
                    positions += page.map(\.position)
                    if positions.count >= 60 { throw CancellationError() }
                }
            } catch is CancellationError {}
            return positions
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while listening.value == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(listening.value == 1)
        await withTaskGroup(of: Void.self) { group in
            for (number, writer) in writers.enumerated() {
                group.addTask {
                    for batch in 0..<10 {
                        _ = try? await writer.append(
                            (0..<3).map { ContractEvents.event("UE-f\(number)", batch * 3 + $0) })
                    }
                }
            }
        }
        let positions = try await withTimeout(seconds: 60) { try await seen.value }
        #expect(positions == Array(1...60))
        for store in writers + [follower] { await store.close() }
    }
}

/// `body`'s value, or a failure when it takes longer than `seconds`.
func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw EventStoreError(.busy, "timed out after \(seconds) s")
        }
        return value
    }
}
