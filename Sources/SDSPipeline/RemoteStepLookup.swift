import SDSCore
import SDSStore

/// A step cache shared through a remote (`sds build --remote-cache`): asked when a step's key
/// is not in the local cache, before the step runs.
public protocol RemoteStepLookup: Sendable {
    /// The result of the step `key` when the remote knows it, brought into `store` with
    /// every object it names (each hashed on arrival); nil when the remote does not know it.
    func result(for key: ObjectID, op: String, into store: ObjectStore) throws -> ObjectID?
}

extension ObjectClosure {
    /// The objects a step's result needs besides itself that can be read now: a record
    /// chunk's data, a partition index's partitions, a run step's folder (a tree, one level
    /// per call as its subtrees arrive).
    public static func namedByStepResult(_ result: ObjectID, op: String, in store: ObjectStore) -> Set<ObjectID> {
        guard store.contains(result) else { return [] }
        if op.hasPrefix("run:") {
            guard let head = try? FileIO.readPrefix(store.path(of: result), count: 11), Tree.looksLikeTree(head),
                  let tree = try? Tree(decoding: store.read(result), id: result) else { return [] }
            var out = Set(tree.entries.map(\.id))
            for e in tree.entries { out.formUnion(namedByStepResult(e.id, op: op, in: store)) }
            return out
        }
        return Set(GarbageCollector.objectsNamed(byResult: result, of: op, in: store))
    }
}
