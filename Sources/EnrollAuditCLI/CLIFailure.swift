import EventStore
import Foundation
import Ingest
import PostgresStore
import Projections

/// The documented exit statuses.
enum Status: Int32 {
    case ok = 0
    case usage = 1
    case badInput = 2
    case notFound = 3
    case integrity = 4
    case storeUnwritable = 5
    /// An output could not be written: standard output, `-o FILE`, `--reject-file`.
    case outputFailed = 6
    /// Something failed that is neither the input's fault nor the store's nor an output's: a bug to report.
    case internalFailure = 7
}

/// A failure to report on stderr with its exit status.
struct CLIFailure: Error {
    var status: Status
    /// The message's lines, each shown escaped (a value in one cannot start a line of its own).
    var lines: [String]
    var message: String { lines.joined(separator: "\n") }

    init(_ status: Status, _ message: String) {
        self.status = status
        self.lines = [message]
    }

    init(_ status: Status, lines: [String]) {
        self.status = status
        self.lines = lines
    }

    /// Maps library errors to statuses and one clear message.
    init(_ error: any Error) {
        switch error {
        case let error as CLIFailure:
            self = error
        case let error as ProofError:
            self.init(error.code == .badKey ? .badInput : .integrity, "error: \(error)")
        case let error as PostgresLocation.Malformed:
            self.init(.usage, "error: \(error)")
        case let error as IngestError:
            self.init(.badInput, lines: error.lines)
        case let error as ReadModelError:
            self.init(.integrity, "error: \(error)")
        case let error as OutputError:
            let refused: Set<OutputError.Code> = [.exists, .symbolicLink, .directory]
            self.init(refused.contains(error.code) ? .usage : .outputFailed, "error: \(error)")
        case let error as EventStoreError:
            let status: Status =
                switch error.code {
                case .storeNotFound: .notFound
                case .notAFile: .usage
                case .corrupt, .undecodable, .schemaTooNew, .schemaTooOld: .integrity
                case .invalidEvent, .versionConflict, .eventIDConflict: .badInput
                case .diskFull, .readOnly, .busy: .storeUnwritable
                default: .storeUnwritable
                }
            if error.code == .storeNotFound, let path = error.path, PostgresLocation.isAddress(path) {
                self.init(status, "error: no store at \(path): \(error.message); copy one into it with `copy --to`")
            } else if error.code == .storeNotFound, let path = error.path {
                self.init(status, "error: no store at \(path); ingest into it first, or name another with --store PATH")
            } else if error.code == .notAFile, let path = error.path {
                self.init(status, "error: \(path) \(error.message) with --store PATH")
            } else if error.code == .corrupt, let path = error.path {
                self.init(
                    status,
                    "error: \(path) is not a valid enrollment audit store (or it is damaged); it was left as it is")
            } else {
                self.init(status, "error: \(error)")
            }
        default:
            self.init(.internalFailure, "error: unexpected failure: \(error)")
        }
    }
}
