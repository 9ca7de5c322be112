import SDSCore
import SDSStore

/// The index of a pack of small objects: `packs/PACKID.idx` beside `packs/PACKID.pack`.
///
/// Binary, little-endian: the magic `SDSPIDX1`, the pack's id (32 bytes, the SHA-256 of
/// the pack file), the entry count (u64), then per object, sorted by id: its id (32
/// bytes), offset (u64) and length (u64) in the pack. The pack is the objects' bytes
/// one after another, nothing else. Decoding checks everything (a remote is untrusted).
public struct PackIndex: Sendable {
    public struct Entry: Sendable {
        public var id: ObjectID
        public var offset: Int64
        public var length: Int64

        public init(id: ObjectID, offset: Int64, length: Int64) {
            self.id = id
            self.offset = offset
            self.length = length
        }
    }

    public var pack: ObjectID
    public var entries: [Entry]

    static let magic = Array("SDSPIDX1".utf8)

    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(48 + entries.count * 48)
        out += pack.bytes
        func u64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        u64(UInt64(entries.count))
        for e in entries {
            out += e.id.bytes
            u64(UInt64(e.offset))
            u64(UInt64(e.length))
        }
        return out
    }

    /// Decodes and checks an index; `packSize` (when known) bounds every entry.
    public init(decoding b: [UInt8], packSize: Int64?, name: String) throws {
        func bad(_ why: String) -> SDSError { SDSError(.badData, "pack index '\(name)' is damaged: \(why)") }
        guard b.count >= 48, Array(b[0..<8]) == Self.magic else { throw bad("no SDSPIDX1 header") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }
        pack = ObjectID(digest: b[8..<40])
        let count = u64(40)
        guard count <= UInt64(b.count / 48), b.count == 48 + Int(count) * 48 else { throw bad("its size does not match its \(count) entries") }
        entries = []
        entries.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let at = 48 + i * 48
            let e = Entry(id: ObjectID(digest: b[at..<(at + 32)]), offset: Int64(bitPattern: u64(at + 32)), length: Int64(bitPattern: u64(at + 40)))
            guard e.offset >= 0, e.length >= 0, packSize.map({ e.offset + e.length <= $0 }) ?? true else {
                throw bad("entry \(e.id.hex) lies outside the pack")
            }
            if let last = entries.last, !(last.id < e.id) { throw bad("entries are not sorted by id") }
            entries.append(e)
        }
    }

    public init(pack: ObjectID, entries: [Entry]) {
        self.pack = pack
        self.entries = entries.sorted { $0.id < $1.id }
    }
}
