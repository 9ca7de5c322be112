import SDSCore
import SDSStore

/// Which step-cache rows a missing or damaged object makes wrong.
///
/// A row is wrong when its result is bad, or when its result names a bad object (a record
/// chunk's data blob, a partition index's partitions): objects are shared by content, so one
/// damaged blob can sit behind several steps. Forgetting those rows makes the next build
/// recompute them, and storing a recomputed object replaces a damaged copy.
enum StepCacheRepair {
    /// The rows (key → the bad object) that `isBad` condemns.
    static func rows(where isBad: (ObjectID) -> Bool, workspace: Workspace) throws -> [ObjectID: ObjectID] {
        var out: [ObjectID: ObjectID] = [:]
        for row in try workspace.index().allStepRows() {
            if isBad(row.result) {
                out[row.key] = row.result
            } else if workspace.store.contains(row.result),
                      let named = GarbageCollector.objectsNamed(byResult: row.result, of: row.op, in: workspace.store).first(where: isBad) {
                out[row.key] = named
            }
        }
        return out
    }
}
