import EnrollmentDomain
import Hummingbird

/// JSON answers in the CLI's encoding (`JSONValue`, keys sorted), so the API and `--format json` agree.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        bytes.append(0x0A)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
