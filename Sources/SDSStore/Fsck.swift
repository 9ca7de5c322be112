import Dispatch
import SDSCore

/// One problem `sds fsck` found; `id` is stable for scripts and tests.
public struct FsckProblem: Sendable, Equatable {
    public enum Severity: String, Sendable { case error, warning }
    /// Stable problem ids, as git's fsck.h has.
    public enum ID: String, Sendable {
        case hashMismatch = "hash-mismatch"
        case badObjectName = "bad-object-name"
        case unreadableObject = "unreadable-object"
        case badTree = "bad-tree"
        case missingObject = "missing-object"
        case badPointer = "bad-pointer"
        case staleTemp = "stale-temp"
        case badTag = "bad-tag"
        case badLock = "bad-lock"
        case badManifest = "bad-manifest"
        case badRecord = "bad-record"
        case lockMismatch = "lock-mismatch"
        case badCacheRow = "bad-cache-row"
    }
    public var severity: Severity
    public var id: ID
    public var subject: String
    public var detail: String

    /// `error: hash-mismatch: object <id>: content hashes to <id>`
    public var line: String { "\(severity.rawValue): \(id.rawValue): \(subject): \(detail)" }

    public init(severity: Severity, id: ID, subject: String, detail: String) {
        self.severity = severity
        self.id = id
        self.subject = subject
        self.detail = detail
    }
}

/// `sds fsck`: checks every object's hash and every pointer's objects.
public struct Fsck {
    public struct Report: Sendable {
        public var problems: [FsckProblem] = []
        public var objectsChecked = 0
        public var pointersChecked = 0
        /// Objects whose bytes do not hash to their id.
        public var damaged = Set<ObjectID>()
        public var errorCount: Int { problems.filter { $0.severity == .error }.count }
    }

    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public func run() throws -> Report {
        var report = Report()
        let store = workspace.store
        // Everything is checked anew; what status remembered as complete may no longer be.
        // (An index open read-only, on a full disk, cannot forget: fsck only reports then.)
        let index = try workspace.index()
        if !index.isSnapshot { try index.forgetCompleteTrees() }
        let names = try store.listObjects()
        report.objectsChecked = names.count
        let outcomes = try names.parallelMap(jobs: onlineCores) { name, id -> FsckProblem? in
            guard let id else {
                return FsckProblem(severity: .error, id: .badObjectName, subject: "objects/\(name)",
                                   detail: "not a valid object name (expected objects/ab/<62 hex digits>)")
            }
            do {
                let actual = try store.hashOnDisk(name)
                return actual == id ? nil : FsckProblem(severity: .error, id: .hashMismatch, subject: "object \(id.hex)",
                                                        detail: "content hashes to \(actual.hex)")
            } catch {
                return FsckProblem(severity: .error, id: .unreadableObject, subject: "object \(id.hex)",
                                   detail: "\(error)")
            }
        }
        var damaged = Set<ObjectID>()
        for (i, p) in outcomes.enumerated() {
            guard let p else { continue }
            report.problems.append(p)
            if let id = names[i].id { damaged.insert(id) }
        }

        report.damaged = damaged
        var checkedTrees = Set<ObjectID>()
        for pointerPath in try workspace.pointerFiles() {
            report.pointersChecked += 1
            let pointer: Pointer
            do {
                pointer = try Pointer(decoding: FileIO.readFile(workspace.absolute(pointerPath)), path: pointerPath)
            } catch {
                report.problems.append(FsckProblem(severity: .error, id: .badPointer, subject: "pointer \(pointerPath)",
                                                   detail: (error as? SDSError)?.message ?? "\(error)"))
                continue
            }
            checkReachable(pointer.id, isTree: pointer.kind == .dir, from: pointerPath, damaged: damaged,
                           checked: &checkedTrees, into: &report.problems)
        }
        for name in (try? FileIO.listDirectory(store.tempDirectory)) ?? [] {
            report.problems.append(FsckProblem(severity: .warning, id: .staleTemp, subject: "tmp/\(name)",
                                               detail: "left by an interrupted write; the next 'sds add' removes it"))
        }
        return report
    }

    private func checkReachable(_ id: ObjectID, isTree: Bool, from owner: String, damaged: Set<ObjectID>,
                                checked: inout Set<ObjectID>, into problems: inout [FsckProblem]) {
        guard workspace.store.contains(id) else {
            problems.append(FsckProblem(severity: .error, id: .missingObject, subject: "object \(id.hex)",
                                        detail: "needed by \(owner) but not in the store"))
            return
        }
        guard isTree, !damaged.contains(id), checked.insert(id).inserted else { return }
        let tree: Tree
        do { tree = try Tree(decoding: workspace.store.read(id), id: id) } catch {
            problems.append(FsckProblem(severity: .error, id: .badTree, subject: "object \(id.hex)",
                                        detail: "needed by \(owner) as a folder but \((error as? SDSError)?.message ?? "\(error)")"))
            return
        }
        for e in tree.entries {
            checkReachable(e.id, isTree: e.kind == .directory, from: owner, damaged: damaged, checked: &checked, into: &problems)
        }
    }
}
