import SDSCore
import SDSPipeline
import SDSStore
import Synchronization

/// The step cache a remote shares: `steps/BUILD` lists the (key, result, operator) of every
/// step of a pushed build; a build with `--remote-cache` asks it for each key the local
/// cache lacks and downloads the result instead of computing it.
///
/// The lists are read once per build (one listing, then each list not seen before; they are
/// immutable, so cached under `.sensorstore/remotes/NAME/steps/`). A result is fetched with
/// what it names, each object hashed on arrival. Any failure (an object missing or damaged
/// on the remote, the network) makes the step a miss: it is computed, never fatal.
public final class RemoteStepCache: RemoteStepLookup, @unchecked Sendable {
    let remote: RemoteStore
    private let table = Mutex<[ObjectID: ObjectID]?>(nil)
    private let inventory = Mutex<RemoteStore.Inventory?>(nil)
    /// One download at a time: results arrive into the store while workers compute.
    private let fetching = Mutex<Int>(0)
    private let hitCount = Atomic<Int>(0)

    public init(remote: RemoteStore) { self.remote = remote }

    /// Steps whose result came from the remote so far.
    public var hits: Int { hitCount.load(ordering: .relaxed) }

    static func encode(_ steps: [(key: ObjectID, result: ObjectID, op: String)]) -> [UInt8] {
        var out: [UInt8] = []
        for s in steps.sorted(by: { $0.key < $1.key }) {
            s.key.appendHex(to: &out)
            out.append(32)
            s.result.appendHex(to: &out)
            out.append(32)
            out += Array(s.op.utf8)
            out.append(10)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [(ObjectID, ObjectID)] {
        bytes.split(separator: 10).compactMap { line in
            guard line.count > 129, let k = ObjectID(hex: String(decoding: line.prefix(64), as: UTF8.self)),
                  let r = ObjectID(hex: String(decoding: line.dropFirst(65).prefix(64), as: UTF8.self)) else { return nil }
            return (k, r)
        }
    }

    func loadTable() throws -> [ObjectID: ObjectID] {
        try table.withLock { t in
            if let t { return t }
            var out: [ObjectID: ObjectID] = [:]
            let cache = remote.cacheDirectory + "/steps"
            try FileIO.makeDirectories(cache)
            for e in try remote.backend.list("steps/") {
                let name = String(e.key.dropFirst("steps/".count))
                guard ObjectID(hex: name) != nil else { continue }
                let bytes: [UInt8]
                if let b = try FileIO.readFileIfExists(cache + "/" + name) {
                    bytes = b
                } else {
                    guard let b = try remote.backend.get(e.key) else { continue }
                    try FileIO.writeFileAtomically(cache + "/" + name, b)
                    bytes = b
                }
                for (k, r) in Self.decode(bytes) { out[k] = r }
            }
            t = out
            return out
        }
    }

    public func result(for key: ObjectID, op: String, into store: ObjectStore) throws -> ObjectID? {
        guard let result = (try? loadTable())?[key] else { return nil }
        do {
            try fetching.withLock { _ in
                let inv = try inventory.withLock { i in
                    if let i { return i }
                    let fresh = try remote.inventory()
                    i = fresh
                    return fresh
                }
                var want: Set<ObjectID> = [result]
                for _ in 0..<64 {
                    let missing = want.filter { !store.contains($0) }
                    if missing.isEmpty { break }
                    _ = try remote.fetchObjects(missing, into: store, have: inv, progress: TransferProgress(), syncStore: false)
                    want.formUnion(ObjectClosure.namedByStepResult(result, op: op, in: store))
                }
            }
        } catch {
            return nil
        }
        hitCount.add(1, ordering: .relaxed)
        return result
    }
}
