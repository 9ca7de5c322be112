import SDSCore
import SDSPipeline
import SDSStore

extension RemoteSync {
    /// What a push would send and what a fetch would bring, for `sds status --remote`.
    public struct Comparison: Sendable {
        public var roots = 0
        /// Objects the selection needs that the remote lacks, and their bytes (from the local store).
        public var remoteLacks = 0
        public var remoteLacksBytes: Int64 = 0
        /// Objects the selection needs that the local store lacks (as far as the remote lists them).
        public var localLacks = 0
        /// Local tags the remote lacks or names differently; remote tags the store lacks or names differently.
        public var tagsToPush: [String] = []
        public var tagsToFetch: [String] = []
        public var inSync: Bool { remoteLacks == 0 && localLacks == 0 && tagsToPush.isEmpty && tagsToFetch.isEmpty }
    }

    /// Compares the default selection (pointers, lock builds, local tags) and every tag on both sides.
    public func compare() throws -> Comparison {
        let selection = try defaultSelection(localTags: true)
        var c = Comparison()
        c.roots = selection.roots.count
        let inv = try remote.inventory()
        var needed = Set<ObjectID>()
        for r in selection.roots {
            needed.formUnion(try closure(r))
            if !workspace.store.contains(r.id), let listed = try remote.closure(of: r.id) { needed.formUnion(listed) }
        }
        for id in needed.sorted() {
            let local = workspace.store.contains(id)
            if inv.objects[id] == nil {
                c.remoteLacks += 1
                if local { c.remoteLacksBytes += (try FileIO.lstat(workspace.store.path(of: id)))?.size ?? 0 }
            }
            if !local { c.localLacks += 1 }
        }
        let localTags = Dictionary(try Tags(workspace: workspace).all().map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
        var remoteTags: [String: ObjectID] = [:]
        for name in try remote.tagNames() { remoteTags[name] = try remote.tag(name) }
        c.tagsToPush = localTags.keys.filter { remoteTags[$0] != localTags[$0] }.sorted()
        c.tagsToFetch = remoteTags.keys.filter { localTags[$0] != remoteTags[$0] }.sorted()
        return c
    }
}
