import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Tag: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Name a build, list names, or delete one.",
        discussion: """
            A tag names a build id; any VERSION argument (diff, show, checkout, verify) accepts it. Tags live in the store (.sensorstore/tags/NAME, one build id per file), which git does not track: to share a version, commit sds.lock and tag the commit with git ('git tag v1'); 'sds diff v1' then reads the build from that commit. 'sds gc' keeps every object of a tagged build.

              sds tag v1                  name the last build (sds.lock) v1
              sds tag before-fix HEAD~2   name the build a commit pinned
              sds tag                     list every tag (as --list)
              sds tag --delete v1

            Names use letters, digits, '.', '_' and '-'; 'workspace' and strings of hex digits are reserved.
            """)

    @Argument(help: "The tag name.")
    var name: String?

    @Argument(help: "The version to name (default: the last build).")
    var version: String?

    @Flag(help: "List every tag with its build.")
    var list = false

    @Flag(help: "Delete the tag NAME (the build's objects stay until 'sds gc').")
    var delete = false

    @Flag(help: "Move an existing tag to another build.")
    var force = false

    @Option(help: "The pipeline spec, relative to the current folder (its sds.lock is the last build).")
    var spec: String = "sds.yaml"

    @Flag(help: "Print JSON (when listing).")
    var json = false

    func validate() throws {
        if list { guard name == nil, !delete else { throw ValidationError("--list takes no name") } }
        else if delete { guard name != nil else { throw ValidationError("--delete needs the tag NAME") } }
        if delete && version != nil { throw ValidationError("--delete takes only the tag NAME") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let tags = Tags(workspace: ws)
            // No name lists, as 'git tag' does.
            if list || name == nil {
                let all = try tags.all()
                if json {
                    return Output.line(JSON.object(Dictionary(uniqueKeysWithValues: all.map { ($0.name, JSON.string($0.id.hex)) })).canonicalText)
                }
                var t = Table()
                for (n, id) in all { t.add(n, id.short) }
                return t.print(indent: "")
            }
            let held = try lock(ws, "tag")
            defer { withExtendedLifetime(held) {} }
            if delete {
                try tags.delete(name!)
                return Output.line("deleted tag \(name!)")
            }
            try Tags.validate(name!)
            let build = try recordedBuild(version, ws, spec: spec, why: "run 'sds build', then tag it")
            try tags.set(name!, to: build.id, force: force)
            Output.line("tagged build \(build.id.short) as \(name!)")
        }
    }
}
