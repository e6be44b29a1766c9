/// What a projection's fold does to one row of a read-model table: the backend-neutral vocabulary between
/// the folds (pure: events in, row changes out, no SQL) and a backend's writer, which applies each change
/// once, in key order, when the fold is flushed.
public enum RowChange<Row: Equatable & Sendable>: Equatable, Sendable {
    /// The row of this key becomes `Row` (inserted, or replacing what the key held).
    case upsert(Row)
    /// The row of this key is removed (nothing happens when there is none).
    case delete
}

/// The changes a fold made to one table since it was last flushed: at most one per key, the last one
/// made (a row changed ten times in a batch is written once).
public struct TableChanges<Key: Hashable & Comparable & Sendable, Row: Equatable & Sendable>: Sendable {
    private var changes: [Key: RowChange<Row>] = [:]

    public init() {}

    /// Whether no row changed.
    public var isEmpty: Bool { changes.isEmpty }
    /// How many rows changed.
    public var count: Int { changes.count }

    /// Notes that the row of `key` is now `row`.
    public mutating func upsert(_ row: Row, at key: Key) {
        changes[key] = .upsert(row)
    }

    /// Notes that the row of `key` is gone.
    public mutating func delete(_ key: Key) {
        changes[key] = .delete
    }

    /// The keys that changed, in no particular order.
    public var keys: Dictionary<Key, RowChange<Row>>.Keys { changes.keys }

    /// The change of `key`, if any.
    public subscript(key: Key) -> RowChange<Row>? { changes[key] }

    /// Every change, sorted by key: the order a writer applies them in (B-tree pages in order).
    ///
    /// The keys alone are sorted, then each change is looked up as it is handed out: a sort moves small
    /// keys, not (key, row) pairs (a `device_status` row is 21 columns; in a debug build each move of a
    /// pair retained and released every string of the row, and the sort was ~5% of an ingest).
    public var sorted: SortedChanges {
        SortedChanges(keys: changes.keys.sorted(), changes: changes)
    }

    /// The changes of a ``TableChanges``, in key order.
    public struct SortedChanges: Sequence {
        let keys: [Key]
        let changes: [Key: RowChange<Row>]

        public func makeIterator() -> Iterator {
            Iterator(keys: keys.makeIterator(), changes: changes)
        }

        public struct Iterator: IteratorProtocol {
            var keys: IndexingIterator<[Key]>
            let changes: [Key: RowChange<Row>]

            public mutating func next() -> (key: Key, value: RowChange<Row>)? {
                while let key = keys.next() {
                    if let change = changes[key] { return (key, change) }
                }
                return nil
            }
        }
    }
}
