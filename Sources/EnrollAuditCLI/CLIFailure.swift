import EventStore
import Foundation
import Ingest

/// The documented exit statuses.
enum Status: Int32 {
    case ok = 0
    case usage = 1
    case badInput = 2
    case notFound = 3
    case integrity = 4
    case storeUnwritable = 5
}

/// A failure to report on stderr with its exit status.
struct CLIFailure: Error {
    var status: Status
    var message: String

    init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// Maps library errors to statuses and one clear message.
    init(_ error: any Error) {
        switch error {
        case let error as CLIFailure:
            self = error
        case let error as ProofError:
            self.init(error.code == .badKey ? .badInput : .integrity, "error: \(error)")
        case let error as IngestError:
            self.init(.badInput, error.description)
        case let error as EventStoreError:
            let status: Status =
                switch error.code {
                case .storeNotFound: .notFound
                case .corrupt, .undecodable, .schemaTooNew, .schemaTooOld: .integrity
                case .invalidEvent, .versionConflict, .eventIDConflict: .badInput
                case .diskFull, .readOnly, .busy: .storeUnwritable
                default: .storeUnwritable
                }
            if error.code == .storeNotFound, let path = error.path {
                self.init(status, "error: no store at \(path); ingest into it first, or name another with --store PATH")
            } else if error.code == .corrupt, let path = error.path {
                self.init(
                    status,
                    "error: \(path) is not a valid enrollment audit store (or it is damaged); it was left as it is")
            } else {
                self.init(status, "error: \(error)")
            }
        default:
            self.init(.badInput, "error: \(error)")
        }
    }
}
