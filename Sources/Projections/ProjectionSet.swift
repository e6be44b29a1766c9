import EventStore

/// The projections every store opened by the tool maintains inline.
public enum ProjectionSet {
    /// All projections, in the order they are applied.
    public static let all: [any InlineProjection] = []
}
