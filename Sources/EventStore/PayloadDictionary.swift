/// The LZ4 dictionary the store primes payload compression with.
///
/// It is typical canonical `data` JSON of the catalogue's types (keys sorted, as the store writes them):
/// LZ4 finds the shared keys and values here instead of in a ~250-byte payload of its own. The bytes are
/// stored in `payload_dictionaries` under ``id`` the first time a store is opened; **never edit them**:
/// a different dictionary needs a new id, so rows compressed with this one stay decodable.
enum PayloadDictionary {
    /// The id of this dictionary in `payload_dictionaries`.
    static let id: Int64 = 1

    static let bytes: [UInt8] = Array(text.utf8)

    private static let text = #"""
        {"raw":{"checkin_event":{"enrollment_id":"","ids":{"id":"","type":"User Enrollment (Device)"},\
        "raw_payload":"PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4KPCFET0NUWVBFIHBsaXN0IFBVQkxJQyAiLS8vQXBwbGUvL0RURCBQTElTVCAxLjAvL0VOIiAiaHR0cDovL3d3dy5hcHBsZS5jb20vRFREcy9Qcm9wZXJ0eUxpc3QtMS4wLmR0ZCI+CjxwbGlzdCB2ZXJzaW9uPSIxLjAiPgo8ZGljdD4KCTxrZXk+",\
        "token_update_tally":1,"url_params":{"attempt":"UE-"}},"created_at":"2026-","event_id":"","topic":"mdm.TokenUpdate"}}\
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
        	<key>BuildVersion</key>
        	<string>22B83</string>
        	<key>EnrollmentID</key>
        	<string></string>
        	<key>MessageType</key>
        	<string>Authenticate</string>
        	<key>OSVersion</key>
        	<string>18.1</string>
        	<key>ProductName</key>
        	<string>iPhone15,2</string>
        	<key>Topic</key>
        	<string>com.apple.mgmt.External.</string>
        </dict>
        </plist>
        {"build_version":"22B83","enrollment_id":"","message_type":"CheckOut","os_version":"17.6.1","product_name":"iPad14,1","topic":"mdm.CheckOut"}\
        {"category":"enrollmentRestrictionsEnforced","reason":"DeviceCapReached"}{"category":"badRequest","reason":"Profile installation failed"}\
        {"correlationId":"","deviceId":"","enrollmentType":"appleUserEnrollment","eventDateTime":"","failureCategory":"","failureReason":"","managedDeviceIdentifier":"","operatingSystem":"iOS","osVersion":"","userId":""}\
        {"error_code":"ProfileInstallationFailed","message":"Profile Installation Failed. A Network Error Has Occurred."}\
        {"os_version":"14.8.1","method":"company_portal"}{"reason":"device_registration key has trailing spaces"}\
        {"bundle_id":"com.microsoft.Office.Outlook","reason":"authenticator_missing"}\
        {"upn":"","reason":"enrollment_sso_app_preinstalled","message":"The Enrollment SSO application has been installed on the device"}\
        {"bundle_id":"com.microsoft.Office.Outlook","name":"Outlook"}{"bundle_id":"com.microsoft.skype.teams","name":"Teams"}\
        {"bundle_id":"com.microsoft.azureauthenticator","version":"6.8.17"}{"bundle_id":"com.microsoft.azureauthenticator"}\
        {"enrollment_id":"","intune_device_id":""}{"managed_apple_id":"@appleid.contoso.com"}\
        {"aad_user_id":"","method":"work_account","upn":"@contoso.com"}\
        {"enrollment_id":"","priority":1,"profile_name":"BYOD"}\
        {"domain":"fabrikam.com","http_status":404,"model_family":"iPhone","reason":"not_found","user_identifier":"@fabrikam.com"}\
        {"content_type":"text/plain","domain":"contoso.com","http_status":200,"model_family":"iPad","reason":"wrong_content_type","user_identifier":"@contoso.com"}\
        {"base_url":"https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=","domain":"contoso.com","http_status":200,"model_family":"iPhone","server_version":"mdm-byod","user_identifier":"@contoso.com"}
        """#
}
