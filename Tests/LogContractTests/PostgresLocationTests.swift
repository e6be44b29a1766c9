import PostgresStore
import Testing

/// `postgres://` addresses as libpq reads them, and the messages for those it cannot.
struct PostgresLocationTests {
    @Test func aTCPAddressNamesHostPortUserAndDatabaseAndHidesThePassword() throws {
        let location = try PostgresLocation("postgres://audit:s%40cret@db.example.com:6543/audit?sslmode=require")
        #expect(location.user == "audit")
        #expect(location.password == "s@cret")
        #expect(location.host == "db.example.com")
        #expect(location.port == 6543)
        #expect(location.database == "audit")
        #expect(location.tlsMode == .require)
        #expect(location.description == "postgres://audit@db.example.com:6543/audit")
        #expect(try PostgresLocation("postgresql://a@db.example.com/b").tlsMode == .prefer)
        #expect(try PostgresLocation("postgres://a@127.0.0.1/b").tlsMode == .disable)
    }

    @Test func aSocketDirectoryComesFromTheHostParameterOrDefaults() throws {
        let socket = try PostgresLocation("postgres://audit@/audit?host=/tmp/pg")
        #expect(socket.host == nil)
        #expect(socket.socketDirectory == "/tmp/pg")
        #expect(socket.port == 5432)
        #expect(socket.description == "postgres://audit@/audit?host=/tmp/pg")
        #expect(try PostgresLocation("postgres://audit@/audit").socketDirectory == "/var/run/postgresql")
    }

    @Test(arguments: [
        ("postgres://db.example.com/audit", "names no user"), ("postgres://a@db.example.com", "names no database"),
        ("postgres://a@db/b?sslmode=sometimes", "sslmode 'sometimes'"), ("postgres://a@db/b?options=x", "'options'"),
        ("mysql://a@db/b", "not a postgres:// address"),
    ])
    func aMalformedAddressSaysWhatIsWrong(_ text: String, _ reason: String) {
        let error = #expect(throws: PostgresLocation.Malformed.self) { try PostgresLocation(text) }
        #expect(error?.description.contains(reason) == true, "\(text): \(error?.description ?? "")")
    }
}
