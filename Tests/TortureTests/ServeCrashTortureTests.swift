import AsyncHTTPClient
import EnrollmentDomain
import Foundation
import NIOCore
import TestSupport
import Testing

extension TortureTests {
    /// `enroll-audit serve` SIGKILLed while clients post webhooks and event batches concurrently, restarted
    /// on the same store, again and again; the clients retry whatever was not acknowledged. Every
    /// acknowledged event is stored exactly once, no batch is partial, and `verify` passes.
    struct ServeCrash {
        static let rounds = TortureScale.pick(short: 2, full: 20)
        static let clients = 16

        /// One request: its body, where it goes, and the event ids it carries.
        struct Item: Sendable {
            var path: String
            var contentType: String
            var body: [UInt8]
            var eventIDs: [String]
        }

        /// `count` webhook bodies (the sample's, each with a fresh `event_id`) and batches of 5 events.
        static func items(count: Int, round: Int) throws -> [Item] {
            let webhooks = try Fixtures.lines("nanomdm-webhook.ndjson").filter { !$0.isEmpty }
            return try (0..<count).map { index in
                if index % 4 == 3 {
                    let lines = EventFactory.ndjsonLines(count: 5, streams: 5, tag: "r\(round)b\(index)")
                    let ids = try lines.map {
                        try #require(JSONParser.parse(Array($0.utf8)).objectValue?["event_id"]?.stringValue)
                    }
                    return Item(
                        path: "/v1/events", contentType: "application/x-ndjson",
                        body: Array(lines.map { $0 + "\n" }.joined().utf8), eventIDs: ids)
                }
                guard case .object(var members) = try JSONParser.parse(Array(webhooks[index % webhooks.count].utf8))
                else { throw TestFailure("a webhook is not an object") }
                let id = UUID().uuidString.lowercased()
                members["event_id"] = .string(id)
                return Item(
                    path: "/webhooks/mdm", contentType: "application/json",
                    body: Array(JSONValue.object(members).canonicalString.utf8), eventIDs: [id])
            }
        }

        /// Posts `item`; `true` once acknowledged (200). A refused connection, a reset or a 503 is `false`.
        static func post(_ item: Item, to baseURL: String) async -> Bool {
            var request = HTTPClientRequest(url: baseURL + item.path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: item.contentType)
            request.body = .bytes(ByteBuffer(bytes: item.body))
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(3)) else {
                return false
            }
            _ = try? await response.body.collect(upTo: 1 << 20)
            return response.status.code == 200
        }

        /// Posts the items with `clients` concurrent clients until they are all sent or `next` is closed;
        /// returns the indices acknowledged.
        static func load(_ items: [Item], indices: [Int], baseURL: String, next: Counter = Counter()) async -> Set<Int>
        {
            await withTaskGroup(of: [Int].self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var acknowledged: [Int] = []
                        while let slot = next.take(below: indices.count) {
                            let index = indices[slot]
                            if await post(items[index], to: baseURL) { acknowledged.append(index) }
                        }
                        return acknowledged
                    }
                }
                var all: Set<Int> = []
                for await part in group { all.formUnion(part) }
                return all
            }
        }

        @Test(.timeLimit(.minutes(20)))
        func aServerKilledUnderLoadLosesNoAcknowledgedEventAndStoresNothingTwice() async throws {
            let directory = TemporaryDirectory()
            let store = directory.path("serve.sqlite")
            var random = SeededGenerator(seed: TortureScale.seed)
            var items: [Item] = []
            var acknowledged: Set<Int> = []
            var killedWithPending = 0
            for round in 0..<Self.rounds {
                items += try Self.items(count: 400, round: round)
                let pending = items.indices.filter { !acknowledged.contains($0) }
                let serve = try ServeProcess(store: store)
                let delay = Int.random(in: 100...700, using: &random)
                let url = serve.baseURL
                let next = Counter()
                async let done = Self.load(items, indices: pending, baseURL: url, next: next)
                try await Task.sleep(for: .milliseconds(delay))
                serve.kill()
                // The clients stop taking new requests; those in flight fail and are retried next round.
                next.close()
                let acked = await done
                acknowledged.formUnion(acked)
                if acked.count < pending.count { killedWithPending += 1 }
                // The store opens and verifies after every crash.
                let verify = try CommandLineTool.run(["verify", "--store", store])
                #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
            }
            // A last run without a crash: the clients retry what is still unacknowledged.
            let serve = try ServeProcess(store: store)
            for _ in 0..<5 where acknowledged.count < items.count {
                let pending = items.indices.filter { !acknowledged.contains($0) }
                acknowledged.formUnion(await Self.load(items, indices: pending, baseURL: serve.baseURL))
            }
            #expect(serve.terminate() == 0)
            #expect(acknowledged.count == items.count)
            #expect(killedWithPending > 0, "the kills came while requests were in flight")

            let exported = try CommandLineTool.run(["export", "--store", store]).stdout
            var stored: [String: Int] = [:]
            for line in exported.split(separator: "\n") {
                if let id = try JSONParser.parse(Array(line.utf8)).objectValue?["event_id"]?.stringValue {
                    stored[id, default: 0] += 1
                }
            }
            let expected = Set(items.flatMap(\.eventIDs))
            #expect(Set(stored.keys) == expected, "every acknowledged event is stored, nothing else")
            #expect(stored.values.allSatisfy { $0 == 1 }, "each exactly once")
            #expect(try CommandLineTool.run(["verify", "--store", store]).status == 0)
            TortureScale.report(
                "serve crash: \(Self.rounds) kills under load, \(items.count) requests, \(expected.count) events, "
                    + "each stored once")
        }
    }
}

/// A shared counter that hands out the slots 0, 1, 2, … once each, until closed.
final class Counter: @unchecked Sendable {
    // @unchecked: every access holds the lock.
    private var value = 0
    private var closed = false
    private let lock = NSLock()

    /// Hands out no more slots.
    func close() { lock.withLock { closed = true } }

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard !closed, value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
