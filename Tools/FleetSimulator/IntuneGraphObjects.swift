import EnrollmentDomain

/// Writes what Intune and Entra ID would export about one attempt, as Graph objects (one compact JSON
/// object per line, each with its `@odata.type`): the work-account sign-in (`signIn`), the managed device
/// of an enrollment that reached MDM (`managedDevice`), Authenticator's install status while it is still
/// pending (`mobileAppInstallStatus`), and an admin's retire before a later unenrollment (`auditEvent`).
///
/// It draws from its own generator, seeded by the attempt's stream, so adding these sources leaves the
/// rest of the fleet (native events, webhooks) exactly as before.
enum IntuneGraphObjects {
    static func lines(
        events: [NewEvent], stream: String, user: String, aadUserID: String, model: String, retiredAt: Int64?
    ) -> [String] {
        var random = SeededRandom(seed: fnv1a(stream))
        var lines: [String] = []
        func second(_ milliseconds: Int64) -> String {
            String(Timestamp(milliseconds: milliseconds).iso8601.prefix(19)) + "Z"
        }
        func emit(_ object: [String: JSONValue]) { lines.append(JSONValue.object(object).canonicalString) }
        let intuneDeviceID = events.lazy.compactMap { $0.data["intune_device_id"]?.stringValue }.first
        let registered = events.contains { $0.type == "jit.registered" }
        for event in events where event.type == "account.signed_in" {
            emit([
                "@odata.type": "#microsoft.graph.signIn", "id": .string(random.uuid()),
                "createdDateTime": .string(second(event.occurredAt.milliseconds)), "userPrincipalName": .string(user),
                "userId": .string(aadUserID), "appDisplayName": "Microsoft Intune Enrollment",
                "clientAppUsed": "Mobile Apps and Desktop clients", "correlationId": .string(random.uuid()),
                "conditionalAccessStatus": "success", "isInteractive": true,
                "status": .object(["errorCode": 0, "failureReason": "Other.", "additionalDetails": .null]),
                "deviceDetail": .object(["deviceId": "", "operatingSystem": "Ios 18.1", "browser": "Mobile Safari"]),
            ])
        }
        if let intuneDeviceID, let enrolled = events.first(where: { $0.type == "profile.installed" }),
            let last = events.last
        {
            emit([
                "@odata.type": "#microsoft.graph.managedDevice", "id": .string(intuneDeviceID),
                "userId": .string(aadUserID), "userPrincipalName": .string(user),
                "deviceName": .string("\(user.prefix(while: { $0 != "@" }))'s \(model)"),
                "deviceEnrollmentType": "appleUserEnrollment", "managedDeviceOwnerType": "personal",
                "enrolledDateTime": .string(second(enrolled.occurredAt.milliseconds)),
                "lastSyncDateTime": .string(second(last.occurredAt.milliseconds)), "operatingSystem": "iOS",
                "osVersion": "18.1", "model": .string(model), "manufacturer": "Apple", "managementState": "managed",
                "azureADDeviceId": .string(registered ? random.uuid() : "00000000-0000-0000-0000-000000000000"),
            ])
        }
        if let intuneDeviceID, let requested = events.first(where: { $0.type == "authenticator.install_requested" }),
            !events.contains(where: { $0.type == "authenticator.installed" })
        {
            emit([
                "@odata.type": "#microsoft.graph.mobileAppInstallStatus",
                "id": .string("authenticator_\(intuneDeviceID)"), "deviceId": .string(intuneDeviceID),
                "lastSyncDateTime": .string(second(requested.occurredAt.milliseconds + 60_000)),
                "installState": "pendingInstall", "installStateDetail": "noAdditionalDetails", "errorCode": 0,
                "userPrincipalName": .string(user),
            ])
        }
        if let intuneDeviceID, let retiredAt {
            emit([
                "@odata.type": "#microsoft.graph.auditEvent", "id": .string(random.uuid()),
                "displayName": "Retire", "componentName": "DeviceManagement",
                "activityDateTime": .string(second(retiredAt)), "activityType": "retire ManagedDevice",
                "activityResult": "Success", "activityOperationType": "Action",
                "actor": .object([
                    "userPrincipalName": .string("helpdesk@\(user.drop(while: { $0 != "@" }).dropFirst())")
                ]),
                "resources": .array([
                    .object([
                        "displayName": .string(model), "type": "ManagedDevice", "resourceId": .string(intuneDeviceID),
                    ])
                ]),
            ])
        }
        return lines
    }

    /// FNV-1a of the stream: a stable seed per attempt.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
