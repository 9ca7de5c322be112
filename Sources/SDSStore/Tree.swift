import SDSCore

/// A folder as an object: a canonical, line-based listing of its entries.
///
/// Encoding (see docs/format.md), UTF-8, `\n`-terminated lines:
///
///     sds-tree 1
///     <kind> <size> <id> <name>
///
/// `kind` is `f` (file), `x` (executable file), `l` (symlink; the blob holds the
/// target text) or `d` (folder; `size` is the total of the files below it). `id`
/// is 64 lowercase hex digits. `name` is escaped: `%`, bytes below 0x20 and 0x7f
/// become `%XX`. Entries are sorted by the raw UTF-8 bytes of the unescaped name,
/// so the same folder always gives the same bytes and id.
public struct Tree: Equatable, Sendable {
    public enum Kind: String, Sendable { case file = "f", executable = "x", symlink = "l", directory = "d" }

    public struct Entry: Equatable, Sendable {
        public var kind: Kind
        public var size: Int64
        public var id: ObjectID
        public var name: String

        public init(kind: Kind, size: Int64, id: ObjectID, name: String) {
            self.kind = kind
            self.size = size
            self.id = id
            self.name = name
        }
    }

    public private(set) var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { FileIO.bytewiseLess($0.name, $1.name) }
    }

    static let header = Array("sds-tree 1\n".utf8)

    /// True if `bytes` starts like a tree object.
    public static func looksLikeTree(_ bytes: [UInt8]) -> Bool { bytes.starts(with: header) }

    public func encoded() -> [UInt8] {
        var out = Self.header
        for e in entries {
            out.append(contentsOf: "\(e.kind.rawValue) \(e.size) ".utf8)
            e.id.appendHex(to: &out)
            out.append(UInt8(ascii: " "))
            for b in e.name.utf8 {
                if b == UInt8(ascii: "%") || b < 0x20 || b == 0x7f {
                    out.append(UInt8(ascii: "%"))
                    out.append(contentsOf: hexByte(b))
                } else {
                    out.append(b)
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private func hexByte(_ b: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [digits[Int(b >> 4)], digits[Int(b & 15)]]
    }

    /// Parses a tree, rejecting anything that is not in canonical form or names an unsafe path.
    ///
    /// Trees come from other machines: a name that could lead a checkout out of its folder
    /// (`..`, `a/b`, `/etc`, NUL) is refused here, where every reader (checkout, fsck, diff,
    /// status, gc) decodes, so none of them has to remember the rule. `id` names the object
    /// in the error.
    public init(decoding bytes: [UInt8], id: ObjectID? = nil) throws {
        do {
            try self.init(checking: bytes)
        } catch let error as SDSError {
            guard let id else { throw SDSError(.badData, "not a valid tree object: \(error.message)") }
            throw SDSError(.badData, "tree object \(id.hex) is damaged or unsafe: \(error.message)",
                           hint: "run 'sds fsck' to list every damaged object; add the data again where it exists to replace it")
        }
    }

    private init(checking bytes: [UInt8]) throws {
        guard Self.looksLikeTree(bytes) else { throw Self.bad("missing the 'sds-tree 1' header") }
        var entries: [Entry] = []
        var lineStart = Self.header.count
        var lineNumber = 1
        while lineStart < bytes.count {
            lineNumber += 1
            guard let end = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw Self.bad("line \(lineNumber) has no newline")
            }
            let fields = bytes[lineStart..<end].split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4,
                  let kind = Kind(rawValue: String(decoding: fields[0], as: UTF8.self)),
                  let size = Int64(String(decoding: fields[1], as: UTF8.self)), size >= 0,
                  let id = ObjectID(hex: String(decoding: fields[2], as: UTF8.self)),
                  let name = Self.unescape(Array(fields[3]))
            else { throw Self.bad("line \(lineNumber) is not '<kind> <size> <id> <name>'") }
            if let why = Self.unsafeNameReason(name) {
                throw Self.bad("line \(lineNumber) names an entry \(why)")
            }
            entries.append(Entry(kind: kind, size: size, id: id, name: name))
            lineStart = end + 1
        }
        self.init(entries: entries)
        guard encoded() == bytes else { throw Self.bad("entries are not in canonical order or form") }
        // Bytes, not String ==: NFC and NFD spellings of a name are two files on Linux.
        for (a, b) in zip(self.entries, self.entries.dropFirst()) where a.name.utf8.elementsEqual(b.name.utf8) {
            throw Self.bad("two entries are named '\(Quoted.cut(a.name))'")
        }
    }

    /// Longest name a file system takes for one path component (Linux NAME_MAX).
    public static let nameMax = 255

    /// Why `name` cannot be one entry of a folder, or nil when it can.
    public static func unsafeNameReason(_ name: String) -> String? {
        if name.isEmpty { return "with an empty name" }
        if name == "." || name == ".." { return "'\(name)', which would leave its folder" }
        if name.utf8.contains(UInt8(ascii: "/")) { return "'\(Quoted.cut(name))' containing '/', which would leave its folder" }
        if name.utf8.contains(0) { return "containing a NUL byte" }
        if name.utf8.count > nameMax { return "\(name.utf8.count) bytes long (at most \(nameMax))" }
        return nil
    }

    private static func unescape(_ bytes: [UInt8]) -> String? {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count,
                      let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else { return nil }
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { return nil }
        return s
    }

    private static func bad(_ what: String) -> SDSError { SDSError(.badData, what) }

    /// Total bytes of the files this tree's entries name (folders count their contents).
    public var totalSize: Int64 { entries.reduce(0) { $0 + $1.size } }
}
