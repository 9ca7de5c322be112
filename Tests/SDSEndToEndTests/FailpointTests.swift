import Foundation
import SDSCatalog
import SDSCore
import Testing

/// Every failpoint (SDS_FAILPOINT, see `Failpoint`): sds dies there, then the same command
/// succeeds, fsck is clean, no tracked user file changed, and the result equals an
/// uninterrupted run's.
@Suite(.serialized) struct FailpointTests {
    /// A verb run in a workspace prepared once and copied for each trial.
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var command: [String]
        var prepare: @Sendable (Harness) throws -> Void
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "add", command: ["add", "d"]) { h in try writeFolder(h, version: 1) },
        Scenario(name: "build", command: ["build"]) { h in try copyWearable(h) },
        Scenario(name: "rebuild", command: ["build"]) { h in
            try copyWearable(h)
            try h.sds("build").expectOK()
            try h.write("data/sleep_labels.csv", try h.read("data/sleep_labels.csv").replacingOccurrences(of: ",4", with: ",5"))
        },
        Scenario(name: "tag", command: ["tag", "v1"]) { h in
            try copyWearable(h)
            try h.sds("build").expectOK()
        },
        Scenario(name: "tag-delete", command: ["tag", "--delete", "v1"]) { h in
            try copyWearable(h)
            try h.sds("build").expectOK()
            try h.sds("tag", "v1").expectOK()
        },
        Scenario(name: "gc", command: ["gc", "--only-current"]) { h in
            try copyWearable(h)
            try h.sds("build").expectOK()
            try h.write("data/sleep_labels.csv", try h.read("data/sleep_labels.csv").replacingOccurrences(of: ",4", with: ",5"))
            try h.sds("build").expectOK()
        },
        Scenario(name: "checkout", command: ["checkout", "--force", "d"]) { h in
            try writeFolder(h, version: 1)
            try h.sds("add", "d").expectOK()
            try h.commitAll("v1")
            try writeFolder(h, version: 2)
            try h.sds("add", "d").expectOK()
            try h.git("checkout", "-q", "HEAD", "--", "d.sds").expectOK()
        },
    ]

    static func writeFolder(_ h: Harness, version: Int) throws {
        try? FileManager.default.removeItem(atPath: h.path("d"))
        try h.write("d/a.csv", "a,\(version)\n")
        try h.write("d/sub/c.csv", String(repeating: "c\n", count: 1000))
        try h.write(version == 1 ? "d/b.csv" : "d/e.csv", "only in \(version)\n")
    }

    static func copyWearable(_ h: Harness) throws {
        let src = try WearableData.folder(subjects: 4, days: 2)
        try FileManager.default.createDirectory(atPath: h.path("data"), withIntermediateDirectories: true)
        for f in ["heart_rate.csv", "steps.csv", "sleep_labels.csv"] {
            try FileManager.default.copyItem(atPath: src + "/" + f, toPath: h.path("data/" + f))
        }
        try FileManager.default.copyItem(atPath: WearableData.spec, toPath: h.path("sds.yaml"))
        try h.commitAll("inputs")
    }

    /// What a command leaves that a user sees: work-tree files (with pointer files, sds.lock
    /// and outputs), tags, and the objects present.
    static func state(_ h: Harness) throws -> String {
        let files = try h.run("/bin/sh", ["-c", "find . -path ./.git -prune -o -path ./.sensorstore -prune -o -type f -print | LC_ALL=C sort | xargs -d '\\n' sha256sum"])
        let tags = try h.sds("tag", "--list")
        let objects = try h.run("/bin/sh", ["-c", "cd .sensorstore/objects && find . -type f | LC_ALL=C sort"])
        return files.stdout + "tags:\n" + tags.stdout + "objects:\n" + objects.stdout
    }

    /// The user's own files (inputs, spec): a crash must never change them.
    static func userFiles(_ h: Harness) throws -> String {
        try h.run("/bin/sh", ["-c", "find d data sds.yaml -type f 2>/dev/null | LC_ALL=C sort | xargs -d '\\n' -r sha256sum"]).stdout
    }

    /// A copy of the prepared workspace, for one trial.
    static func copy(_ template: Harness) throws -> Harness {
        let h = try Harness(git: false, sds: false)
        try h.run("/bin/sh", ["-c", "cp -a '\(template.root)/.' '\(h.root)/'"]).expectOK()
        return h
    }

    /// Every step-cache row names an object that is in the store, and every 64-hex id in a
    /// text object names one too: published children first, whenever the process died.
    static func expectNoDanglingNames(_ h: Harness, _ trial: String) throws {
        let index = try StoreIndex(path: h.path(".sensorstore/index.sqlite"))
        for (key, result) in try index.allStepResults() {
            #expect(FileManager.default.fileExists(atPath: h.path(".sensorstore/objects/\(result.hex.prefix(2))/\(result.hex.dropFirst(2))")),
                    "\(trial): step \(key.hex.prefix(12)) names \(result.hex), which is not in the store")
        }
        let objects = h.path(".sensorstore/objects")
        for dir in try FileManager.default.contentsOfDirectory(atPath: objects) {
            for name in try FileManager.default.contentsOfDirectory(atPath: objects + "/" + dir) {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(objects)/\(dir)/\(name)"))
                // A manifest also holds step keys, which are no objects; it is written after its objects.
                guard bytes.count < 1 << 20, let text = String(data: bytes, encoding: .utf8),
                      !text.contains("\"steps\":[") else { continue }
                for m in text.matches(of: /[0-9a-f]{64}/) {
                    let id = String(text[m.range])
                    guard !id.hasPrefix(dir + name) else { continue }
                    // Only names of objects this store wrote count: a value may look like an id.
                    let known = text.hasPrefix("sds-tree") || text.contains("\"\(id)\"")
                    guard known, FileManager.default.fileExists(atPath: "\(objects)/\(id.prefix(2))") else { continue }
                    #expect(FileManager.default.fileExists(atPath: "\(objects)/\(id.prefix(2))/\(id.dropFirst(2))"),
                            "\(trial): object \(dir)\(name) names \(id), which is not in the store")
                }
            }
        }
    }

    /// The passes of each point during one uninterrupted run (SDS_FAILPOINT=list).
    static func passes(_ stderr: String) -> [String: Int] {
        stderr.split(separator: "\n").reduce(into: [:]) { counts, line in
            if line.hasPrefix("failpoint: ") { counts[String(line.dropFirst(11)), default: 0] += 1 }
        }
    }

    @Test(arguments: scenarios)
    func dyingAtEveryPointLeavesAWorkingStore(_ scenario: Scenario) throws {
        let template = try Harness()
        defer { template.cleanup() }
        try scenario.prepare(template)
        let reference = try Self.copy(template)
        defer { reference.cleanup() }
        let listed = try reference.run(Harness.binary, scenario.command, env: ["SDS_FAILPOINT": "list"])
        listed.expectOK()
        let expected = try Self.state(reference)
        let counts = Self.passes(listed.stderr)
        #expect(!counts.isEmpty, "\(scenario.name) passes no failpoint")
        for (point, n) in counts.sorted(by: { $0.key < $1.key }) {
            // The first and last pass, and the middle of the publish loop.
            for pass in Set([1, n] + (point == "staged.publish" ? [(n + 1) / 2] : [])).sorted() {
                let trial = "\(scenario.name) at \(point):\(pass)"
                let h = try Self.copy(template)
                defer { h.cleanup() }
                let before = try Self.userFiles(h)
                let died = try h.run(Harness.binary, scenario.command, env: ["SDS_FAILPOINT": "\(point):\(pass)"])
                #expect(died.status == 134 && died.stderr.contains("stopped at failpoint \(point):\(pass)"),
                        "\(trial): exit \(died.status)\n\(died.stderr)")
                // gc removes garbage in any order: a garbage object may name one already gone.
                if scenario.name != "gc" { try Self.expectNoDanglingNames(h, trial) }
                let rerun = try h.run(Harness.binary, scenario.command)
                #expect(rerun.status == 0, "\(trial): the next run failed: exit \(rerun.status)\n\(rerun.stderr)")
                let fsck = try h.sds("fsck")
                #expect(fsck.status == 0 && !fsck.stdout.contains("error:"), "\(trial): fsck\n\(fsck.stdout)")
                if scenario.name != "checkout" {
                    #expect(try Self.userFiles(h) == before, "\(trial): a user file changed")
                }
                #expect(try Self.state(h) == expected, "\(trial): the result differs from an uninterrupted run")
            }
        }
    }

    /// Each point is reached by some scenario above, so none goes untested.
    @Test func everyFailpointIsPassedBySomeScenario() throws {
        var seen = Set<String>()
        for scenario in Self.scenarios {
            let h = try Harness()
            defer { h.cleanup() }
            try scenario.prepare(h)
            let r = try h.run(Harness.binary, scenario.command, env: ["SDS_FAILPOINT": "list"])
            r.expectOK()
            seen.formUnion(Self.passes(r.stderr).keys)
        }
        // Push and fetch need a remote: RemoteTests dies at their points, checks that a reader
        // sees nothing half-published, and that the rerun finishes without resending
        // (LinkModeTests does the same for add --to-remote).
        let remote: Set<String> = [Failpoint.pushObjects.rawValue, Failpoint.fetchObjects.rawValue, Failpoint.addRemoteUploaded.rawValue]
        let missing = Failpoint.allCases.map(\.rawValue).filter { !seen.contains($0) && !remote.contains($0) }
        #expect(missing.isEmpty, "failpoints no scenario reaches: \(missing)")
    }

    @Test func aMistypedFailpointIsAUsageError() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("f.csv", "1\n")
        let r = try h.sds("add", "f.csv", env: ["SDS_FAILPOINT": "object.renme:1"])
        r.expectStatus(64)
        #expect(r.stderr.contains("object.rename"))
        #expect(!h.exists("f.csv.sds"))
    }
}
