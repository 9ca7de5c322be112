import SDSCore
import SDSPipeline
import SDSStore

/// Shared reading of VERSION arguments for diff, tag, show, checkout, verify and gc.
extension StoreCommand {
    /// A resolver whose "last build" is the `sds.lock` beside the spec at user path `spec`.
    func versionResolver(_ ws: Workspace, spec: String) throws -> VersionResolver {
        VersionResolver(workspace: ws, lockPath: try lockPath(ws, spec: spec))
    }

    /// The lock file beside the spec at user path `spec`, relative to the workspace root.
    func lockPath(_ ws: Workspace, spec: String) throws -> String {
        BuildRecorder(workspace: ws, specPath: try ws.relativePath(spec)).lockPath
    }

    /// The build a VERSION names (default: the last build); `workspace` is refused with `why`.
    func recordedBuild(_ version: String?, _ ws: Workspace, spec: String, why: String) throws -> RecordedBuild {
        let resolver = try versionResolver(ws, spec: spec)
        guard let build = try (version.map(resolver.resolve) ?? resolver.lastBuild()).build else {
            throw SDSError(.usage, "'workspace' is not a build; \(why)")
        }
        return build
    }
}
