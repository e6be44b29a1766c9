import Foundation

/// The bench's throwaway PostgreSQL cluster: `initdb` into a folder of the bench's scratch directory, the
/// server on a Unix socket only (no TCP port), stopped at once (`pg_ctl stop -m immediate`) and its folder
/// removed when the measurement is done.
///
/// A minimal copy of the start/stop logic of `Tests/TestSupport/PostgresCluster.swift` (the bench cannot
/// import TestSupport): as root, the cluster's programs run as Debian's `postgres` user through `runuser`;
/// authentication is `trust` on the socket. Unlike the tests' cluster, `fsync` stays on: the bench
/// measures durable commits, for this project and for the peer alike.
final class BenchCluster {
    let root: String
    let socketDirectory: String
    let port = 5432
    let superuser = "postgres"
    private let binaries: String
    private let dataDirectory: String
    private let runAs: String?
    private var databases = 0

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Initialises and starts a cluster under `directory` (replacing what an earlier run left there).
    init(directory: String) throws {
        let fileManager = FileManager.default
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates =
            versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard
            let found = candidates.first(where: { directory in
                ["initdb", "pg_ctl", "psql"].allSatisfy { fileManager.isExecutableFile(atPath: "\(directory)/\($0)") }
            })
        else {
            throw Failure(description: "PostgreSQL is not installed (no initdb, pg_ctl and psql)")
        }
        binaries = found
        root = URL(fileURLWithPath: directory).standardizedFileURL.path
        dataDirectory = "\(root)/data"
        // A socket's path is limited to ~107 bytes: a long scratch path gets its socket in /tmp.
        let socket = "\(root)/socket"
        socketDirectory =
            socket.utf8.count < 80 ? socket : NSTemporaryDirectory() + "enroll-audit-bench-\(getpid())"
        if geteuid() == 0 {
            guard getpwnam("postgres") != nil else {
                throw Failure(description: "running as root and there is no 'postgres' user to run initdb as")
            }
            runAs = "postgres"
        } else {
            runAs = nil
        }
        try? fileManager.removeItem(atPath: root)
        try? fileManager.removeItem(atPath: socketDirectory)
        try fileManager.createDirectory(atPath: root, withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        if let runAs { try Self.run("/bin/chown", ["-R", "\(runAs):", root, socketDirectory]) }
        try tool("initdb", ["-D", dataDirectory, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--no-sync"])
        let options = ["-k", socketDirectory, "-c", "listen_addresses=", "-p", "\(port)", "-c", "max_connections=40"]
            .map { "'\($0)'" }.joined(separator: " ")
        try tool("pg_ctl", ["-D", dataDirectory, "-l", "\(root)/server.log", "-w", "-t", "60", "-o", options, "start"])
    }

    /// Stops the server at once and removes its folder.
    func stop() {
        _ = try? tool("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: socketDirectory)
    }

    /// A fresh database owned by a role of its own; returns both names.
    func makeDatabase() throws -> (name: String, owner: String) {
        databases += 1
        let name = "bench\(databases)"
        try psql("DROP DATABASE IF EXISTS \(name)")
        try psql("DROP ROLE IF EXISTS \(name)_owner")
        try psql("CREATE ROLE \(name)_owner LOGIN")
        try psql("CREATE DATABASE \(name) OWNER \(name)_owner")
        try psql("ALTER SCHEMA public OWNER TO \(name)_owner", database: name)
        return (name, "\(name)_owner")
    }

    /// The `postgres://` address of `database` as `user`, through the socket.
    func address(user: String, database: String) -> String {
        "postgres://\(user)@/\(database)?host=\(socketDirectory)"
    }

    /// CPU seconds (user + system) of the server so far: the postmaster and every backend it has reaped
    /// (a backend ends with its connection), from `/proc/PID/stat`.
    func cpuSeconds() -> Double {
        guard let pidFile = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
            let pid = pidFile.split(separator: "\n").first.map(String.init),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command's closing parenthesis: state is field 3, utime … cstime fields 14–17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 15 else { return 0 }
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run(
            "\(binaries)/psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", "\(port)", "-U",
                superuser, "-d", database, "-c", sql,
            ])
    }

    @discardableResult
    private func tool(_ name: String, _ arguments: [String]) throws -> String {
        guard let runAs else { return try Self.run("\(binaries)/\(name)", arguments) }
        return try Self.run("/usr/sbin/runuser", ["-u", runAs, "--", "\(binaries)/\(name)"] + arguments)
    }

    /// Runs a program to completion, its output in a file (the server `pg_ctl start` forks outlives it, so
    /// a pipe would never end); a non-zero exit is an error carrying that output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let capture = NSTemporaryDirectory() + "enroll-audit-bench-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: capture) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot run \(program): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: program).lastPathComponent) failed: \(text)")
        }
        return text
    }
}
