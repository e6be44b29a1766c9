import EventStore

/// The projections every store opened by the tool maintains inline.
public enum ProjectionSet {
    /// All projections, in the order they are applied: identity first, since device status reads it.
    ///
    /// Each access makes fresh instances (device status keeps per-transaction work in memory).
    public static var all: [any InlineProjection] { [IdentityProjection(), DeviceStatusProjection()] }
}
