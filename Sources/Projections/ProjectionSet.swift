import EventStore

/// The projections every store opened by the tool maintains inline.
public enum ProjectionSet {
    /// All projections, in the order they are applied: identity first, since device status reads it.
    public static let all: [any InlineProjection] = [IdentityProjection(), DeviceStatusProjection()]
}
