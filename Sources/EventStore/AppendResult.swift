/// What happened to one event of an append.
public enum AppendOutcome: Sendable, Hashable {
    /// Stored at this position.
    case appended(position: Int64)
    /// Already stored with identical content, at this position: nothing written.
    case duplicate(position: Int64)
}

/// The summary of an append.
public struct AppendResult: Sendable, Hashable {
    /// One outcome per submitted event, in order.
    public var outcomes: [AppendOutcome] = []
    /// How many events were stored.
    public var appended: Int { outcomes.count { if case .appended = $0 { true } else { false } } }
    /// How many were already stored with identical content.
    public var duplicates: Int { outcomes.count { if case .duplicate = $0 { true } else { false } } }

    public init(outcomes: [AppendOutcome] = []) {
        self.outcomes = outcomes
    }
}
