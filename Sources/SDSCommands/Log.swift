import ArgumentParser
import SDSCore
import SDSPipeline
import SDSSensors
import SDSStore

struct Log: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the versions of a tracked path through git history, or the builds, newest first.",
        discussion: """
            With PATH, reads the committed PATH.sds of each commit (first-parent history of HEAD) with libgit2 and prints the commits where it changed: commit, date, data id, size, files, message. Without PATH, does the same for every path tracked at HEAD, newest commit first, with the path on each line.

            With --builds, lists the builds this store recorded, newest first: build id, when it finished (UTC), the git commit it was built at, its tags, and example counts per split.

              sds log data
              sds log
              sds log --builds
              sds log --builds --json
            """)

    @Argument(help: "A tracked path (or its .sds pointer file); without it, every path tracked at HEAD.")
    var path: String?

    @Flag(help: "List the recorded builds instead of a path's versions.")
    var builds = false

    func validate() throws {
        guard !builds || path == nil else { throw ValidationError("--builds takes no PATH") }
    }

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            if builds { return try listBuilds(ws) }
            // Without a path: every tracked path's versions, each line naming its path.
            let versions: [(path: String?, version: Workspace.PathVersion)] = try path.map { try ws.versions(of: $0).map { (nil, $0) } }
                ?? ws.versionsOfTrackedPaths().map { ($0.path, $0.version) }
            if json {
                let items = versions.map { p, v in
                    var o: [String: JSON] = [
                        "commit": .string(v.commit.id), "time": .int(v.commit.time), "message": .string(v.commit.summary),
                        "id": v.pointer.map { .string($0.id.hex) } ?? .null,
                        "size": v.pointer.map { .int($0.size) } ?? .null,
                        "files": v.pointer.map { .int(Int64($0.files)) } ?? .null,
                    ]
                    if let p { o["path"] = .string(p) }
                    return JSON.object(o)
                }
                return Output.line(String(decoding: JSON.array(items).canonical(), as: UTF8.self))
            }
            if versions.isEmpty {
                Output.line(path.map { "no committed versions of '\($0)' (commit its .sds pointer file to record one)" }
                    ?? "no tracked paths committed at HEAD (run 'sds add PATH' and commit its .sds pointer file)")
                return
            }
            for (p, v) in versions {
                let date = Dates.iso8601(seconds: v.commit.time, offsetMinutes: Int(v.commit.timeOffsetMinutes))
                let data = v.pointer.map { "\($0.id.short)  \(Output.bytes($0.size).padding(10)) \($0.files) file(s)" }
                    ?? "(removed)"
                Output.line("\(v.commit.id.prefix(12))  \(date)  \(p.map { $0 + "  " } ?? "")\(data)  \(v.commit.summary)")
            }
        }
    }
}

extension Log {
    private func listBuilds(_ ws: Workspace) throws {
        let entries = try BuildLog.entries(ws)
        if json { return Output.line(JSON.array(entries.map(\.json)).canonicalText) }
        if entries.isEmpty { return Output.line("no builds recorded yet (run 'sds build')") }
        var t = Table()
        for e in entries {
            let time = e.finishedNs.map { Dates.iso8601(seconds: $0 / 1_000_000_000, offsetMinutes: 0) } ?? "(time unknown)"
            let commit = e.gitCommit.map { String($0.prefix(12)) + (e.gitDirty == true ? "+" : "") } ?? "no commit"
            let examples = e.manifestPresent ? e.examples.map { "\($0.split) \($0.count)" }.joined(separator: ", ") : "(manifest not in store)"
            t.add(e.id.short, time, commit, e.tags.joined(separator: ","), examples)
        }
        t.print(indent: "")
    }
}

/// Commit dates without Foundation or the process time zone.
enum Dates {
    /// `2026-11-25 14:03:07 +0100` for a Unix time and the commit's UTC offset.
    static func iso8601(seconds: Int64, offsetMinutes: Int) -> String {
        let local = seconds + Int64(offsetMinutes) * 60
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secs = local - days * 86400
        let (y, m, d) = CivilTime.civil(day: days)
        func two<T: BinaryInteger>(_ v: T) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let off = abs(offsetMinutes)
        return "\(y)-\(two(m))-\(two(d)) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) \(sign)\(two(off / 60))\(two(off % 60))"
    }
}
