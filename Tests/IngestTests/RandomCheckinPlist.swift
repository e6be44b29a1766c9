import Foundation
import TestSupport

@testable import Ingest

/// Seeded random check-in plists: the forms ``CheckinPlistReader`` reads (prologs, doctypes, whitespace,
/// references, every value type, nesting, repeated keys, known keys of other types) and, now and then, a
/// form it leaves to Foundation, noted in ``readable``.
struct RandomCheckinPlist {
    var text = ""
    /// Whether only forms the reader reads were used, so it must answer itself.
    var readable = true
    var generator: SeededGenerator

    static let otherKeys = ["PushMagic", "Token", "UnlockToken", "AwaitingConfiguration", "Challenge", "CF$UIDs", ""]
    /// Pieces of string content: characters, escapes, references, non-ASCII, control characters.
    static let pieces = [
        "a", "Z", "0", "9", " ", "\t", "\n", "\r", "\r\n", "-", ".", ",", "&amp;", "&lt;", "&gt;", ">", "&quot;", "\"",
        "&apos;", "'", "&#233;", "&#xe9;", "&#xE9;", "&#x1F600;", "&#128512;", "&#10;", "é", "€", "😀", "ß",
        "\u{1}", "\u{0}", "\u{FFFF}", "e\u{301}", "\u{212A}",
    ]
    /// Prologs, doctypes and plist start tags, each with whether the reader reads it.
    static let prologs = [
        (#"<?xml version="1.0" encoding="UTF-8"?>"#, true), (#"<?xml version="1.0"?>"#, true), ("", true),
        (#"<?xml version="1.0" encoding="utf-8"?>"#, true), (#"<?xml version="1.0" encoding="ISO-8859-1"?>"#, false),
        ("<?xml version='1.0'?>", false),
    ]
    static let doctypes = [
        (
            #"<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">"#,
            true
        ),
        (
            #"<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">"#,
            true
        ),
        ("", true), (#"<!DOCTYPE plist [ <!ENTITY x "y"> ]>"#, false),
    ]
    static let plistTags = [(#"<plist version="1.0">"#, true), ("<plist>", true), (#"<plist version="1.0" >"#, false)]

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        text = choose(Self.prologs) + space() + choose(Self.doctypes) + space() + choose(Self.plistTags) + space()
        if chance(5) {
            text += "<dict/>"
        } else {
            text += "<dict>" + members(count: Int.random(in: 0...10, using: &generator), depth: 0) + space() + "</dict>"
        }
        text += space() + "</plist>" + space()
    }

    mutating func chance(_ percent: Double) -> Bool { Double.random(in: 0..<100, using: &generator) < percent }

    /// One of `options`, rarely (5%) one the reader does not read.
    mutating func choose(_ options: [(String, Bool)]) -> String {
        let unreadable = chance(5)
        let (text, readable) = options.filter { $0.1 != unreadable }.randomElement(using: &generator)!
        self.readable = self.readable && readable
        return text
    }

    mutating func space() -> String {
        if chance(0.3) {
            readable = false
            return "<!-- a comment -->"
        }
        return ["", "\n", "\t", " ", "\r\n", "\n\t"].randomElement(using: &generator)!
    }

    mutating func characters() -> String {
        if chance(1) {
            readable = false
            return "<![CDATA[a<b]]>"
        }
        if chance(1) {
            readable = false
            return "\u{FEFF}x"
        }
        return (0..<Int.random(in: 0...12, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)!
        }
        .joined()
    }

    mutating func members(count: Int, depth: Int) -> String {
        var text = ""
        for _ in 0..<count {
            let known = depth == 0 && chance(60)
            let key =
                known
                ? CheckinPayload.keys.randomElement(using: &generator)!
                : Self.otherKeys.randomElement(using: &generator)!
            text +=
                space() + "<key>" + (chance(10) ? key.replacingOccurrences(of: "e", with: "&#101;") : key) + "</key>"
            text += space() + (known && !chance(5) ? string() : value(depth: depth))
        }
        return text
    }

    mutating func string() -> String {
        chance(5) ? "<string/>" : "<string>" + characters() + "</string>"
    }

    mutating func value(depth: Int) -> String {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return string()
        case 1:
            let number = Int64.random(in: -999_999_999_999...999_999_999_999, using: &generator)
            if chance(10) {
                readable = false
                return "<integer> +\(number.magnitude)</integer>"
            }
            return "<integer>\(number < 0 ? "-" : "")\(chance(10) ? "00" : "")\(number.magnitude)</integer>"
        case 2:
            let real =
                "\(Int.random(in: -99_999...99_999, using: &generator)).\(Int.random(in: 0...999, using: &generator))"
            if chance(10) {
                readable = false
                return "<real>1e\(real.count)</real>"
            }
            return "<real>\(chance(20) ? String(real.prefix { $0 != "." }) : real)</real>"
        case 3: return chance(50) ? "<true/>" : "<false/>"
        case 4:
            let year = Int.random(in: 1900...2100, using: &generator)
            return
                "<date>\(year)-0\(Int.random(in: 1...9, using: &generator))-1\(Int.random(in: 0...9, using: &generator))T12:34:56Z</date>"
        case 5:
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            let encoded = Data(bytes).base64EncodedString(options: [.lineLength64Characters])
            return "<data>\n\t" + encoded.replacingOccurrences(of: "\r\n", with: "\n\t") + "\n</data>"
        case 6 where depth < 3:
            if chance(20) { return "<array/>" }
            let count = Int.random(in: 0...3, using: &generator)
            return "<array>" + (0..<count).map { _ in space() + value(depth: depth + 1) }.joined() + space()
                + "</array>"
        case 7 where depth < 3:
            if chance(20) { return "<dict/>" }
            return "<dict>" + members(count: Int.random(in: 0...3, using: &generator), depth: depth + 1) + space()
                + "</dict>"
        default: return string()
        }
    }
}
