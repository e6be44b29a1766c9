import EnrollmentDomain

/// What one event means for an enrollment's progress: the single table every projection and the
/// timeline read, so a type is interpreted the same way everywhere.
enum EventEffect: Hashable, Sendable {
    /// The step succeeded.
    case success(EnrollmentStep)
    /// The step failed; `nil` step: the step after the furthest one reached.
    case failure(EnrollmentStep?, reason: String)
    /// The user declined remote management.
    case declined
    /// iOS/iPadOS < 15: fell back to Company Portal.
    case fallback
    /// The device left management.
    case unenrolled
    /// A symptom seen by the user (a failed timeline entry) that changes no state.
    case symptom(reason: String)
    /// A fact with no bearing on the state (requests, check-ins, links, apps, unknown types).
    case info

    /// The effect of `event`, whose `data` is `data` (upcast to the current schema).
    init(type: String, data: [String: JSONValue]) {
        func text(_ key: String) -> String { data[key]?.stringValue ?? "unknown" }
        switch type {
        case "discovery.succeeded": self = .success(.discovery)
        case "discovery.failed": self = .failure(.discovery, reason: text("reason"))
        case "account.signed_in": self = .success(.accountSignIn)
        case "account.sign_in_failed": self = .failure(.accountSignIn, reason: text("reason"))
        case "apple_id.signed_in": self = .success(.appleIDSignIn)
        case "remote_management.allowed": self = .success(.remoteManagement)
        case "remote_management.declined": self = .declined
        case "profile.installed", "mdm.authenticated": self = .success(.profileInstalled)
        case "profile.install_failed": self = .failure(.profileInstalled, reason: text("error_code"))
        case "mdm.token_updated":
            // A tally of 1 is NanoMDM's "the enrollment completed"; MicroMDM sends no tally, so its first
            // TokenUpdate of a stream is the completion (``EventEffects`` tells the first from the rest).
            switch data["token_update_tally"]?.intValue {
            case 1, nil: self = .success(.profileInstalled)
            default: self = .info
            }
        case "mdm.command_failed": self = .symptom(reason: text("reason"))
        case "intune.device_enrolled": self = .success(.profileInstalled)
        case "jit.registered": self = .success(.jitRegistration)
        case "jit.failed": self = .failure(.jitRegistration, reason: text("reason"))
        case "authenticator.installed": self = .success(.authenticatorInstalled)
        case "authenticator.install_failed": self = .failure(.authenticatorInstalled, reason: text("reason"))
        case "work_app.sign_in_blocked": self = .symptom(reason: text("reason"))
        case "enrollment.failed":
            let reason = text("reason")
            self = .failure(
                IntuneFailureSteps.step(category: data.nonEmptyString("category"), reason: reason), reason: reason)
        case "enrollment.fell_back": self = .fallback
        case "device.unenrolled": self = .unenrolled
        default: self = .info
        }
    }

    /// The step this event is about when it is a success or a failure with a known step.
    var step: EnrollmentStep? {
        switch self {
        case .success(let step): step
        case .failure(let step, _): step
        case .declined: .remoteManagement
        default: nil
        }
    }

    /// How the timeline shows it.
    var outcome: TimelineOutcome {
        switch self {
        case .success: .ok
        case .failure, .declined, .symptom: .failed
        case .fallback, .unenrolled, .info: .info
        }
    }
}

/// The effects of one enrollment's events read in `occurred_at` order: a TokenUpdate without a tally
/// (MicroMDM's) completes the enrollment only when it is the first of its stream; later ones are check-ins.
struct EventEffects {
    private var streamsWithTokenUpdate: Set<String> = []

    /// The effect of the next event.
    mutating func effect(of event: NewEvent, data: [String: JSONValue]) -> EventEffect {
        let effect = EventEffect(type: event.type, data: data)
        guard event.type == "mdm.token_updated", data["token_update_tally"] == nil else { return effect }
        return streamsWithTokenUpdate.insert(event.stream).inserted ? effect : .info
    }
}

extension [String: JSONValue] {
    /// The non-empty string member `key`, or `nil`.
    func nonEmptyString(_ key: String) -> String? {
        guard let value = self[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }
}
