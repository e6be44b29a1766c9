import EnrollmentDomain
import EventStore
import Foundation
import PostgresStore
import TestSupport
import Testing

/// Writers on several hosts: the real CLI appending from network namespaces of the test's own, each
/// joined to this host by a veth pair on a private /30, to a server listening on the host side's addresses.
@Suite(.enabled(if: NetworkNamespaces.usable, "needs root and `ip netns` (skipped; CI must run it)"))
struct PostgresNetworkNamespaceTests {
    /// Three namespaces, two writer processes in each, appending batches of 10 for a bounded time: every
    /// acknowledged batch is stored once where it was acknowledged, none partial, positions gapless, and
    /// `verify` passes, run from a namespace too.
    @Test(.timeLimit(.minutes(5)))
    func writersInThreeNetworkNamespacesAppendConcurrentlyAndNothingIsLostOrDuplicated() async throws {
        let hosts = try NetworkNamespaces(count: 3)
        defer { hosts.remove() }
        let cluster = try PostgresCluster(
            PostgresCluster.Configuration(
                listenAddresses: hosts.hostAddresses, hba: ["host all all \(NetworkNamespaces.network) trust"]))
        defer { cluster.stop() }
        let database = try cluster.makeDatabase()
        let owner = try await PostgresFixture.writer(database)
        let writers = (0..<6).map { (namespace: $0 % 3, number: $0) }
        let deadline = Date().addingTimeInterval(20)
        let results = Results()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: writers.count) { index in
                    let (namespace, number) = writers[index]
                    let address =
                        "postgres://\(database.writer)@\(hosts.hostAddresses[namespace]):\(cluster.port)/"
                        + "\(database.name)?sslmode=disable"
                    for _ in 0..<15 where Date() < deadline {
                        let events = EventFactory.ndjsonLines(count: 10, streams: 1, tag: "host\(number)")
                        let ids = events.compactMap { try? NewEvent(ndjsonLine: Array($0.utf8)).eventID }
                        let result = try? hosts.run(
                            in: namespace, [CommandLineTool.executable.path, "append", "--store", address] + events)
                        results.add(ids: ids, result: result)
                    }
                }
                done.resume()
            }
        }
        let batches = results.batches
        let acknowledged = batches.filter { $0.positions != nil }
        #expect(acknowledged.count >= 6, "every writer got batches through: \(results.firstError ?? "")")
        #expect(acknowledged.count == batches.count, "no writer ran out of retries: \(results.firstError ?? "")")
        try await PostgresFixture.expectNothingLost(batches, in: owner)
        let verify = try hosts.run(
            in: 2,
            [
                CommandLineTool.executable.path, "verify", "--store",
                "postgres://\(database.writer)@\(hosts.hostAddresses[2]):\(cluster.port)/\(database.name)",
            ])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        await owner.close()
    }

    /// What the writer processes reported, batch by batch.
    final class Results: @unchecked Sendable {
        // @unchecked: `list` and `error` are only touched under `lock`.
        private let lock = NSLock()
        private var list: [PostgresFixture.Batch] = []
        private var error: String?

        /// The standard error of the first batch that failed.
        var firstError: String? { lock.withLock { error } }

        /// Records a batch; acknowledged when the process exited 0, at the positions it printed.
        func add(ids: [UUID], result: CommandLineTool.Result?) {
            var batch = PostgresFixture.Batch(ids: ids)
            if let result, result.status == 0 {
                let positions = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last }
                batch.positions = positions.compactMap { Int64($0) }
            }
            lock.withLock {
                if batch.positions == nil, error == nil { error = result.map { $0.stderr } ?? "not run" }
                list.append(batch)
            }
        }

        var batches: [PostgresFixture.Batch] { lock.withLock { list } }
    }
}

/// Network namespaces for a test (`ip netns`), each with a veth pair to this host: namespace *i* is
/// 10.213.*i*.2/30, its host side 10.213.*i*.1/30. Removed by ``remove()`` (a `defer`), also after a
/// failure; names carry the test process's id, so leftovers of another run never collide.
struct NetworkNamespaces {
    static let network = "10.213.0.0/16"
    let names: [String]
    let hostAddresses: [String]
    private let hostLinks: [String]

    /// Whether this machine can make them: root and a working `ip netns`. Otherwise the suite is skipped
    /// (and says so), except under `ENROLL_AUDIT_REQUIRE_POSTGRES=1`, where it runs and fails.
    static let usable: Bool = {
        if PostgresCluster.isRequired { return true }
        let probe = "ea\(getpid())probe"
        let usable =
            geteuid() == 0 && (try? ip(["netns", "add", probe]).status) == 0
            && (try? ip(["netns", "del", probe]).status) == 0
        if !usable {
            try? FileHandle.standardError.write(
                contentsOf: Data("PostgreSQL network namespace tests skipped: they need root and `ip netns`\n".utf8))
        }
        return usable
    }()

    init(count: Int) throws {
        names = (0..<count).map { "ea\(getpid())n\($0)" }
        hostLinks = (0..<count).map { "ea\(getpid())h\($0)" }
        hostAddresses = (0..<count).map { "10.213.\($0).1" }
        remove()
        for index in 0..<count {
            let (name, host, peer) = (names[index], hostLinks[index], "ea\(getpid())p\(index)")
            for arguments in [
                ["netns", "add", name],
                ["link", "add", host, "type", "veth", "peer", "name", peer],
                ["link", "set", peer, "netns", name],
                ["addr", "add", "10.213.\(index).1/30", "dev", host],
                ["link", "set", host, "up"],
                ["netns", "exec", name, "ip", "addr", "add", "10.213.\(index).2/30", "dev", peer],
                ["netns", "exec", name, "ip", "link", "set", peer, "up"],
                ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
            ] {
                let result = try Self.ip(arguments)
                guard result.status == 0 else {
                    remove()
                    throw EventStoreError(.database, "ip \(arguments.joined(separator: " ")): \(result.stderr)")
                }
            }
        }
    }

    /// Runs a program inside namespace `index`.
    func run(in index: Int, _ command: [String]) throws -> CommandLineTool.Result {
        try Self.ip(["netns", "exec", names[index]] + command)
    }

    /// Deletes the namespaces (which deletes the veth pairs inside them) and any host link left over.
    func remove() {
        for name in names { _ = try? Self.ip(["netns", "del", name]) }
        for link in hostLinks { _ = try? Self.ip(["link", "del", link]) }
    }

    private static func ip(_ arguments: [String]) throws -> CommandLineTool.Result {
        let program = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        return try CommandLineTool.run(arguments, program: URL(fileURLWithPath: program ?? "/usr/sbin/ip"))
    }
}
