import Foundation

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary directory, the server listening
/// only on a Unix socket in that directory (no TCP port to collide with), stopped when the test process
/// exits (`pg_ctl stop -m immediate`) and its directory removed.
///
/// `initdb` refuses to run as root: as root, the cluster's programs run as the `postgres` user (Debian's
/// package creates it) through `runuser`, and the directory is handed to that user. Authentication is
/// `trust` on the socket, which only this machine's processes reach.
///
/// Without PostgreSQL (`initdb` neither on `PATH` nor under `/usr/lib/postgresql/*/bin`),
/// ``PostgresCluster/shared`` is `nil` and ``PostgresCluster/unavailableReason`` says why; the tests then
/// run their SQLite half only and say so. With `ENROLL_AUDIT_REQUIRE_POSTGRES=1` (CI's `.ci/run`) a missing or
/// broken PostgreSQL fails the tests instead.
public final class PostgresCluster: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init; `databases` is guarded by `lock`.
    public let directory: TemporaryDirectory
    /// The directory of the server's socket (`?host=` of an address).
    public let socketDirectory: String
    /// The port that names the socket (`.s.PGSQL.PORT`); the shared server listens on no TCP port.
    public let port: Int
    /// The superuser `initdb` created.
    public let superuser = "postgres"
    private let binaries: URL
    private let runAs: String?
    private let dataDirectory: String
    private let serverOptions: String
    private let lock = NSLock()
    private var databases = 0

    /// The cluster every test of this process shares, started on first use; `nil` without PostgreSQL.
    public static var shared: PostgresCluster? { startShared.cluster }

    /// Why ``shared`` is `nil`.
    public static var unavailableReason: String? { startShared.reason }

    /// Whether the tests must run against PostgreSQL (CI): then a missing cluster is a failure.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["ENROLL_AUDIT_REQUIRE_POSTGRES"] == "1"
    }

    private static let startShared: (cluster: PostgresCluster?, reason: String?) = {
        do {
            let cluster = try PostgresCluster()
            atexit { PostgresCluster.shared?.stop() }
            return (cluster, nil)
        } catch {
            let reason = "\(error)"
            try? FileHandle.standardError.write(
                contentsOf: Data(
                    "PostgreSQL tests skipped: \(reason) (Tools/setup installs Debian's postgresql)\n".utf8))
            return (nil, reason)
        }
    }()

    /// How a cluster of a test of its own listens (the shared one: only on its socket).
    public struct Configuration: Sendable {
        /// TCP addresses to listen on besides the socket (`listen_addresses`); none by default.
        public var listenAddresses: [String] = []
        /// The TCP port, which also names the socket.
        public var port = 5432
        /// Lines appended to `pg_hba.conf` (say `host all all 10.0.0.0/8 trust`).
        public var hba: [String] = []

        public init(listenAddresses: [String] = [], port: Int = 5432, hba: [String] = []) {
            self.listenAddresses = listenAddresses
            self.port = port
            self.hba = hba
        }
    }

    /// Initialises and starts a new cluster.
    public convenience init(_ configuration: Configuration = Configuration()) throws {
        try self.init(configuration: configuration, standbyOf: nil)
    }

    /// A hot standby of `primary` by streaming replication: `pg_basebackup -R` of it (through its socket,
    /// as its superuser), started on a socket of its own. It replays the primary's WAL and refuses writes.
    public convenience init(standbyOf primary: PostgresCluster) throws {
        try self.init(configuration: Configuration(port: primary.port), standbyOf: primary)
    }

    private init(configuration: Configuration, standbyOf primary: PostgresCluster?) throws {
        guard let binaries = Self.findBinaries() else {
            throw ClusterError("PostgreSQL is not installed: no initdb on PATH or under /usr/lib/postgresql/*/bin")
        }
        self.binaries = binaries
        port = configuration.port
        directory = TemporaryDirectory()
        dataDirectory = directory.path("data")
        socketDirectory = directory.path("socket")
        serverOptions = [
            "-k", socketDirectory, "-c", "listen_addresses=\(configuration.listenAddresses.joined(separator: ","))",
            "-p", "\(port)", "-c", "fsync=off", "-c", "deadlock_timeout=10s", "-c", "max_connections=200",
        ].map { "'\($0)'" }.joined(separator: " ")
        if geteuid() == 0 {
            guard getpwnam("postgres") != nil else {
                throw ClusterError("running as root and there is no 'postgres' user to run initdb as")
            }
            runAs = "postgres"
        } else {
            runAs = nil
        }
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        if let runAs {
            try Self.run(URL(fileURLWithPath: "/bin/chown"), ["-R", "\(runAs):", directory.url.path])
        }
        if let primary {
            try runTool(
                "pg_basebackup",
                [
                    "-D", dataDirectory, "-R", "-X", "stream", "-h", primary.socketDirectory, "-p", "\(primary.port)",
                    "-U", primary.superuser, "--no-sync",
                ])
        } else {
            try runTool(
                "initdb", ["-D", dataDirectory, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--no-sync"])
            if !configuration.hba.isEmpty {
                let hba = URL(fileURLWithPath: dataDirectory).appendingPathComponent("pg_hba.conf")
                let text = try String(contentsOf: hba, encoding: .utf8)
                try Data((text + configuration.hba.joined(separator: "\n") + "\n").utf8).write(to: hba)
            }
        }
        try start()
    }

    /// Starts the server (again, after ``stopImmediately()``), waiting until it accepts connections.
    public func start() throws {
        try runTool(
            "pg_ctl",
            ["-D", dataDirectory, "-l", directory.path("server.log"), "-w", "-t", "180", "-o", serverOptions, "start"])
    }

    /// Stops the server as a crash would (`pg_ctl stop -m immediate`: no checkpoint, every backend killed);
    /// the next ``start()`` recovers from the WAL.
    public func stopImmediately() throws {
        try runTool("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// Stops the server at once and removes its directory (the data is thrown away).
    public func stop() {
        _ = try? runTool("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory.url)
    }

    /// A `postgres://` address of `database` as `user`, through the socket, or through TCP to `host`.
    public func address(user: String, database: String, host: String? = nil) -> String {
        guard let host else { return "postgres://\(user)@/\(database)?host=\(socketDirectory)" }
        return "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// Runs SQL as the superuser with `psql` (stops at the first error).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", user: String? = nil) throws -> String {
        try Self.run(
            binaries.appendingPathComponent("psql"),
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", "\(port)", "-U",
                user ?? superuser, "-d", database, "-c", sql,
            ])
    }

    /// A new database with its own owner role (which migrates it) and writer role (SELECT and INSERT only,
    /// once the store grants them), for one test.
    ///
    /// - Parameter characterType: the database's `LC_CTYPE` (the cluster's, `C`, when `nil`), which is what
    ///   `lower()` of a text without a collation of its own folds by.
    public func makeDatabase(characterType: String? = nil) throws -> Database {
        let number = lock.withLock {
            databases += 1
            return databases
        }
        let name = "t\(getpid())_\(number)"
        let database = Database(
            cluster: self, name: name, owner: "\(name)_owner", writer: "\(name)_writer")
        // One statement per call: CREATE DATABASE cannot run in the transaction a multi-statement -c makes.
        try psql("CREATE ROLE \(database.owner) LOGIN")
        try psql("CREATE ROLE \(database.writer) LOGIN")
        let ctype = characterType.map { " TEMPLATE template0 LC_CTYPE '\($0)'" } ?? ""
        try psql("CREATE DATABASE \(name) OWNER \(database.owner)\(ctype)")
        try psql("ALTER SCHEMA public OWNER TO \(database.owner)", database: name)
        try psql("REVOKE ALL ON SCHEMA public FROM PUBLIC", database: name)
        try psql("GRANT USAGE ON SCHEMA public TO \(database.writer)", database: name)
        return database
    }

    /// One test's database and its two roles.
    public struct Database: Sendable {
        public let cluster: PostgresCluster
        public let name: String
        /// Owns the database and its schema: runs the migrations.
        public let owner: String
        /// The role a service uses: SELECT and INSERT on the log, once granted.
        public let writer: String

        /// The address of this database as `user` (default: the owner).
        public func address(user: String? = nil) -> String {
            cluster.address(user: user ?? owner, database: name)
        }
    }

    private func runTool(_ name: String, _ arguments: [String]) throws {
        let tool = binaries.appendingPathComponent(name)
        if let runAs {
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
            try Self.run(
                URL(fileURLWithPath: runuser ?? "/usr/sbin/runuser"), ["-u", runAs, "--", tool.path] + arguments)
        } else {
            try Self.run(tool, arguments)
        }
    }

    /// The directory holding `initdb`, `pg_ctl` and `psql`.
    private static func findBinaries() -> URL? {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append(URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"))
        }
        for entry in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(entry)))
        }
        return candidates.first { directory in
            ["initdb", "pg_ctl", "psql"].allSatisfy {
                fileManager.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
            }
        }
    }

    /// Runs a program to completion; a non-zero exit is an error carrying its output.
    ///
    /// With `posix_spawn` and `waitpid`, not `Process`: the server that `pg_ctl start` forks outlives it (so
    /// the output goes to a file, not a pipe that would never end), and Foundation's `waitUntilExit` was
    /// seen never to notice `runuser` exit here.
    @discardableResult
    private static func run(_ program: URL, _ arguments: [String]) throws -> String {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent(
            "enroll-audit-pg-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: capture) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ClusterError("cannot run \(program.path): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("waitpid: \(String(cString: strerror(errno)))") }
        }
        let text = (try? String(contentsOf: capture, encoding: .utf8)) ?? ""
        // Exited normally with status 0 (WIFEXITED and WEXITSTATUS, which Swift does not import).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw ClusterError("\(program.lastPathComponent) \(arguments.first ?? "") failed: \(text)")
        }
        return text
    }

    /// Why the cluster could not be set up.
    public struct ClusterError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
