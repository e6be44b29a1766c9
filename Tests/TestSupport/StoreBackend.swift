import Foundation

/// The backends a CLI test runs the binary against: a SQLite file always, a `postgres://` database of the
/// shared ``PostgresCluster`` when the machine has PostgreSQL. Without it ``available`` is SQLite alone and
/// the cluster says on stderr that the PostgreSQL half was skipped, unless `ENROLL_AUDIT_REQUIRE_POSTGRES=1`
/// (CI), where the PostgreSQL half runs and fails.
public enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// The backends this machine runs.
    public static var available: [StoreBackend] {
        PostgresCluster.shared != nil || PostgresCluster.isRequired ? allCases : [.sqlite]
    }

    /// A `--store` value for a new, empty store on this backend: a path in `directory` named `name`, or a
    /// fresh database of the shared cluster (as its owner, who migrates it on the first write).
    ///
    /// - Throws: ``SampleStoreError`` when PostgreSQL is required and missing.
    public func newStore(in directory: TemporaryDirectory, name: String) throws -> String {
        switch self {
        case .sqlite:
            return directory.path("\(name).sqlite")
        case .postgres:
            guard let cluster = PostgresCluster.shared else {
                throw SampleStoreError(
                    message: "PostgreSQL is required here: \(PostgresCluster.unavailableReason ?? "")")
            }
            return try cluster.makeDatabase().address()
        }
    }
}
