import TestSupport

enum TestSupportPaths {
    static func fixture(_ name: String) -> String { Fixtures.path(name) }
}
