import EnrollmentDomain

/// Turns the events of one enrollment into its troubleshooting timeline.
///
/// Entries are in `occurred_at` order (position breaks ties). Each gets a label, an outcome, the gap
/// since the previous entry, and at most one hint: the knowledge base's hint for the event first, else
/// a pattern across events: clock skew, a step recorded after a later step of the same stream, a long
/// gap, or (on the last entry) Authenticator never arriving after the profile installed.
struct TimelineBuilder {
    /// An event that occurred this much after the store recorded it shows the clock-skew hint.
    var clockSkewMilliseconds: Int64 = 5 * 60_000
    /// A gap longer than this shows the long-gap hint.
    var longGapMilliseconds: Int64 = 86_400_000

    func entries(
        enrollment: String, events: [RecordedEvent], status: DeviceStatus?
    ) -> [TimelineEntry] {
        let outOfOrder = outOfOrderPositions(events)
        let ordered = events.sorted {
            ($0.event.occurredAt, $0.position) < ($1.event.occurredAt, $1.position)
        }
        var entries: [TimelineEntry] = []
        entries.reserveCapacity(ordered.count)
        var previous: Timestamp?
        var effects = EventEffects()
        for recorded in ordered {
            let event = recorded.event
            let data = recorded.currentData
            let effect = effects.effect(of: event, data: data)
            let gap = previous.map { event.occurredAt.milliseconds - $0.milliseconds }
            var hint = HintRules.hint(type: event.type, data: data)
            if hint == nil, event.occurredAt.milliseconds - recorded.recordedAt.milliseconds > clockSkewMilliseconds {
                hint = HintRules.patternHints["clock_skew"]
            }
            if hint == nil, outOfOrder.contains(recorded.position) {
                hint = HintRules.patternHints["steps_out_of_order"]
            }
            if hint == nil, let gap, gap > longGapMilliseconds {
                hint = HintRules.patternHints["long_gap"]
            }
            entries.append(
                TimelineEntry(
                    enrollment: enrollment, position: recorded.position, eventID: event.eventID, stream: event.stream,
                    type: event.type, source: event.source, occurredAt: event.occurredAt,
                    recordedAt: recorded.recordedAt,
                    label: EventLabels.label(type: event.type, data: data, effect: effect),
                    outcome: effect.outcome,
                    gapSeconds: gap.map { Double($0) / 1000 }, hint: hint))
            previous = event.occurredAt
        }
        if let status, status.stalled, let step = status.step, step >= .profileInstalled,
            !events.contains(where: { $0.event.type == "authenticator.installed" }),
            let last = entries.indices.last, entries[last].hint == nil || entries[last].hint?.id == "long_gap"
        {
            entries[last].hint = HintRules.patternHints["authenticator_not_assigned"]
        }
        return entries
    }

    /// Positions of step events recorded after a later step of the same stream had been recorded, and
    /// that occurred before it.
    private func outOfOrderPositions(_ events: [RecordedEvent]) -> Set<Int64> {
        var furthest: [String: (step: Int, at: Timestamp)] = [:]
        var result: Set<Int64> = []
        for recorded in events.sorted(by: { $0.position < $1.position }) {
            let event = recorded.event
            guard let step = EventEffect(type: event.type, data: recorded.currentData).step?.index else { continue }
            if let reached = furthest[event.stream], step < reached.step, event.occurredAt < reached.at {
                result.insert(recorded.position)
            } else if step > (furthest[event.stream]?.step ?? -1) {
                furthest[event.stream] = (step, event.occurredAt)
            }
        }
        return result
    }
}
