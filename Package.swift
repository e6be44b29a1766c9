// swift-tools-version: 6.1
import PackageDescription

// The executables allocate through jemalloc on Linux (Debian's libjemalloc-dev, installed by Tools/setup):
// glibc's malloc was ~17% of a bulk ingest's samples, and jemalloc cut its CPU time by ~20% in the same
// minutes (docs/performance.md, "The allocator"). The libraries stay allocator-neutral.
let allocator: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

let package = Package(
    name: "enroll-audit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "enroll-audit", targets: ["EnrollAuditCLI"]),
        .library(name: "EnrollmentDomain", targets: ["EnrollmentDomain"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `serve`: the HTTP server, its lifecycle, and its metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The support console's HTML templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The PostgreSQL backend of the log (`PostgresStore`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Tests only: a real HTTP client for the server's tests.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Tests only: an independent RFC 4180 parser to read our CSV back.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // liblz4, the system C library (`apt-get install liblz4-dev`).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        // Swift wrappers of liblz4: blocks with dictionaries, and the frame format.
        .target(name: "LZ4", dependencies: ["CLZ4"]),
        // Events, catalogue, validation, upcasting. Pure: no I/O.
        .target(name: "EnrollmentDomain"),
        // The append-only log on SQLite.
        .target(
            name: "EventStore",
            dependencies: [
                "EnrollmentDomain",
                "LZ4",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one hot statement bound column by column (EventRowInsert).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Migrations")]
        ),
        // The log on PostgreSQL (postgres-nio): the same contract as SQLite (`EventLog`), numbered SQL
        // migrations, append-only by triggers and privileges; the read models' queries on its projection
        // tables (`EnrollmentReadModel`). See docs/postgres.md.
        .target(
            name: "PostgresStore",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Projections",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Its pool's errors (the connection-creation circuit breaker), which PostgresNIO hands on as they are.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Migrations")]
        ),
        // Input adapters (native NDJSON, NanoMDM, Graph, access logs) and the streaming ingest.
        .target(
            name: "Ingest",
            dependencies: [
                "EnrollmentDomain", "EventStore", "LZ4", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Output formats: NDJSON, CSV, JSON, LZ4 frames.
        .target(
            name: "Export",
            dependencies: ["EnrollmentDomain", "EventStore", "LZ4"]
        ),
        // Read models built from the log: identity, device status, timelines, fleet statistics.
        .target(
            name: "Projections",
            dependencies: ["EnrollmentDomain", "EventStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The store as an HTTP service (`serve`): ingest endpoints with group commit, the read API, metrics.
        .target(
            name: "Service",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "Export", "Projections",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The support console (`/console` of `serve`): server-rendered HTML over the Projections' queries.
        .target(
            name: "Console",
            dependencies: [
                "EnrollmentDomain", "Export", "Projections", "Service",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Templates"), .embedInCode("Assets")]
        ),
        // The `enroll-audit` command line tool: parses, calls, prints.
        .executableTarget(
            name: "EnrollAuditCLI",
            dependencies: [
                "EnrollmentDomain",
                "EventStore",
                "Ingest",
                "Export",
                "Projections",
                "Service",
                "Console",
                "FleetSimulator",
                "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: allocator
        ),
        // The seeded fleet simulator: realistic enrollments for tests, benchmarks and `demo`.
        .target(name: "FleetSimulator", dependencies: ["EnrollmentDomain"], path: "Tools/FleetSimulator"),
        // Writes Schema/events/*.json and the reference part of docs/events.md from the catalogue.
        .executableTarget(
            name: "generate-schemas", dependencies: ["EnrollmentDomain"], path: "Tools/GenerateSchemas"),
        // The benchmark harness (`make bench`): every scenario, each against a baseline of the same run.
        .executableTarget(
            name: "enroll-audit-bench",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "Export", "Projections", "FleetSimulator",
                // The PostgreSQL rows: appends by concurrent writers through the library.
                "PostgresStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Tools/Benchmarks",
            linkerSettings: allocator
        ),
        // The benchmarks' ceiling: the same events appended with the raw SQLite C API (libsqlite3-dev).
        .executableTarget(
            name: "sqlite-ceiling",
            path: "Tools/SQLiteCeiling",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // Shared by every test target: temporary stores, fixtures, running the built binary.
        .target(
            name: "TestSupport",
            dependencies: ["EnrollmentDomain", "FleetSimulator", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TestSupport"),
        .testTarget(name: "EnrollmentDomainTests", dependencies: ["EnrollmentDomain", "TestSupport"]),
        .testTarget(
            name: "EventStoreTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "LZ4", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The log's contract, one code path over both backends (SQLite, and PostgreSQL in a throwaway cluster).
        .testTarget(
            name: "LogContractTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "PostgresStore", "Projections", "TestSupport", "EnrollAuditCLI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Depends on the executable so that the CLI tests of ingest find it built.
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "TestSupport", "EnrollAuditCLI",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "Projections", "PostgresStore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Runs the built `enroll-audit` binary (the dependency makes sure it is built first).
        .testTarget(
            name: "CLITests",
            dependencies: [
                "EnrollAuditCLI", "TestSupport", "EnrollmentDomain", .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // The HTTP service on a loopback port, through a real HTTP client, and the built binary.
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "Projections", "Service", "Console", "TestSupport",
                // `serve` on PostgreSQL too (ServeBackendTests, ServeStandbyTests).
                "PostgresStore",
                "EnrollAuditCLI", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // The schemathesis hooks (Python), run by OpenAPITests.
            exclude: ["Schemathesis"]
        ),
        // Durability and abuse: crashes, concurrency, fuzzing, tampering, full disks, permissions. Shortened
        // by default; `make torture` runs it at full scale (ENROLL_AUDIT_TORTURE=full).
        .testTarget(
            name: "TortureTests",
            dependencies: [
                "EnrollmentDomain", "EventStore", "Ingest", "TestSupport", "EnrollAuditCLI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
