import Glibc
import SDSCatalog
import SDSCore

/// Rebuilds what the index can get back from the objects after a damaged one was moved aside.
///
/// The step cache comes back from the build manifests in the store (each lists its steps'
/// keys and results); file states and complete trees come back on demand, as after a delete.
enum IndexRepair {
    /// A manifest is canonical JSON, keys sorted: it starts with its `code` object.
    private static let manifestStart = Array(#"{"code":{"#.utf8)
    private static let keyField = Array(#"{"inputs":["#.utf8)

    /// Records every step of every manifest in the store; returns how many rows it wrote.
    static func restoreStepCache(_ store: ObjectStore, into index: StoreIndex) throws -> Int {
        var steps: [(key: ObjectID, result: ObjectID, op: String)] = []
        for (name, id) in try store.listObjects() {
            guard let id, let head = try? FileIO.readPrefix(store.objectsDirectory + "/" + name, count: manifestStart.count),
                  head == manifestStart, let bytes = try? store.read(id) else { continue }
            steps += Self.steps(in: bytes)
        }
        try index.recordSteps(steps)
        return steps.count
    }

    /// The (key, result, op) of each step object in a manifest's canonical bytes.
    ///
    /// Each step is `{"inputs":[…],"key":"<hex>","op":"…","params":"…","partition":"…","result":"<hex>","version":N}`;
    /// in canonical JSON a quote inside a string is escaped, so these field names cannot
    /// appear inside a value.
    static func steps(in bytes: [UInt8]) -> [(key: ObjectID, result: ObjectID, op: String)] {
        var out: [(ObjectID, ObjectID, String)] = []
        var i = 0
        while let start = find(keyField, in: bytes, from: i) {
            i = start + keyField.count
            guard let k = find(Array(#"],"key":""#.utf8), in: bytes, from: i),
                  let key = hex(bytes, at: k + 9),
                  let o = find(Array(#"","op":""#.utf8), in: bytes, from: k + 9 + 64), o == k + 9 + 64,
                  let opEnd = find(Array(#"","params":"#.utf8), in: bytes, from: o + 8),
                  let r = find(Array(#","result":""#.utf8), in: bytes, from: opEnd),
                  let result = hex(bytes, at: r + 11) else { continue }
            out.append((key, result, String(decoding: bytes[(o + 8)..<opEnd], as: UTF8.self)))
            i = r + 11 + 64
        }
        return out
    }

    private static func hex(_ bytes: [UInt8], at i: Int) -> ObjectID? {
        guard i + 64 <= bytes.count else { return nil }
        return ObjectID(hex: String(decoding: bytes[i..<(i + 64)], as: UTF8.self))
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start <= bytes.count - needle.count else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
