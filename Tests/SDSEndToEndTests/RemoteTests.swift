import Foundation
import Testing

/// Issue 15: two clones and one remote (a folder, and S3 served by moto_server).
@Suite(.serialized) struct RemoteTests {
    /// `make test` starts moto_server (scripts/s3-local.sh) and exports its endpoint.
    static let s3 = ProcessInfo.processInfo.environment["SDS_S3_ENDPOINT"]
    static let s3Skip = "SDS_S3_ENDPOINT is unset: run under scripts/s3-local.sh run (make test does)"

    /// A repo with tracked data, a build tagged v1, the remote configured and committed.
    static func origin(remoteURL: String, endpoint: String? = nil) throws -> Harness {
        let h = try WearableData.workspace(subjects: 4, days: 2)
        try h.sds("add", "data").expectOK()
        _ = try h.buildJSON()
        try h.sds("tag", "v1").expectOK()
        try h.sds("remote", "add", "origin", remoteURL, "--default").expectOK()
        if let endpoint { try h.sds("remote", "modify", "origin", "endpoint_url", endpoint).expectOK() }
        try h.commitAll("data, spec, lock and remote")
        return h
    }

    /// A `git clone` of `origin` (only what git tracks: no objects, no tags).
    static func clone(_ origin: Harness) throws -> Harness {
        let c = try Harness(git: false, sds: false)
        try c.run("git", ["clone", "-q", origin.root, "."]).expectOK()
        return c
    }

    static func uniquePrefix() -> String { "t\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    /// Push from one clone, fetch a tag in a fresh clone, verify it, pull the data byte for byte.
    func roundTrip(_ a: Harness) throws {
        let push = try a.sds("push", "--json")
        push.expectOK()
        let summary = try JSONSerialization.jsonObject(with: Data(push.stdout.utf8)) as! [String: Any]
        #expect((summary["objects"] as? Int ?? 0) > 0)
        #expect((summary["tags"] as? [[String: Any]])?.first?["name"] as? String == "v1")
        // A second push sends nothing.
        let again = try a.sds("push", "--json")
        again.expectOK()
        #expect(again.stdout.contains("\"objects\":0"))

        let b = try Self.clone(a)
        defer { b.cleanup() }
        // Before a fetch the clone has nothing to check out (offline: no automatic fetch).
        #expect(try b.sds("checkout", "--offline").status == 66)
        let fetch = try b.sds("fetch", "v1")
        fetch.expectOK()
        #expect(fetch.stdout.contains("tag v1: created"))
        let verify = try b.sds("verify", "v1")
        verify.expectOK()
        #expect(verify.stdout.contains("reproduced:"))
        try b.sds("pull").expectOK()
        for f in ["heart_rate.csv", "steps.csv", "sleep_labels.csv"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: b.path("data/" + f))) == Data(contentsOf: URL(fileURLWithPath: a.path("data/" + f))))
        }
        try b.sds("checkout", "v1", "--outputs").expectOK()
        #expect(try b.shardHash() == a.shardHash())
        try b.sds("fsck").expectOK()

        // The teammate's steps are in the clone's step cache: one changed label reruns one subject.
        try Self.changeOneLabel(b)
        let rebuilt = try b.buildJSON()
        #expect((rebuilt["steps_reused"] as? Int ?? 0) > (rebuilt["steps_run"] as? Int ?? 0))
    }

    @Test func folderRemoteTwoClones() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.origin(remoteURL: remote.root)
        defer { a.cleanup() }
        try roundTrip(a)
        // Packs, their indexes, closures and the tag are on the remote; no temp file is left.
        let packs = try FileManager.default.contentsOfDirectory(atPath: remote.path("packs"))
        #expect(packs.contains { $0.hasSuffix(".pack") } && packs.contains { $0.hasSuffix(".idx") })
        #expect(remote.exists("refs/tags/v1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote.path("tmp")).isEmpty)
    }

    /// Adds a minute to the first sleep label: one subject's steps and one shard change.
    static func changeOneLabel(_ h: Harness) throws {
        var lines = try h.read("data/sleep_labels.csv").components(separatedBy: "\n")
        var fields = lines[1].components(separatedBy: ",")
        fields[2] = String(Int(fields[2])! + 1)
        lines[1] = fields.joined(separator: ",")
        try h.write("data/sleep_labels.csv", lines.joined(separator: "\n"))
    }

    @Test func sharedStepCacheReusesATeammatesSteps() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.origin(remoteURL: remote.root)
        defer { a.cleanup() }
        try a.sds("push").expectOK()
        let b = try Self.clone(a), c = try Self.clone(a)
        defer { b.cleanup(); c.cleanup() }
        // The teammate changes a label, builds and pushes.
        try Self.changeOneLabel(a)
        let v2 = try a.buildJSON()
        #expect((v2["steps_run"] as? Int ?? 0) > 0)
        try a.sds("push").expectOK()
        // Two clones make the same change: without the shared cache the steps run again...
        for h in [b, c] {
            try h.sds("pull").expectOK()
            try Self.changeOneLabel(h)
        }
        let alone = try c.buildJSON()
        #expect((alone["steps_run"] as? Int ?? 0) > 0)
        #expect(alone["steps_from_remote"] as? Int == 0)
        // ...with it, the plan says nothing runs (truthful: it asks the remote as the build will)...
        let plan = try b.sds("build", "--dry-run", "--json", "--remote-cache")
        #expect(plan.stdout.contains("\"steps_to_run\":0"), "\(plan.stdout)")
        #expect(plan.stdout.contains("\"build\":\"\(v2["build"] as? String ?? "?")\""))
        // A build killed after fetching results, before publishing them, records no cache row
        // naming them (rows wait for the publish, as for computed steps).
        let died = try b.sds("build", "--remote-cache", env: ["SDS_FAILPOINT": "staged.publish:1"])
        #expect(died.status == 134, "\(died.stderr)")
        try FailpointTests.expectNoDanglingNames(b, "build --remote-cache killed at staged.publish:1")
        // ...with it, every changed step's result comes from the remote: nothing runs, same bytes.
        let shared = try b.buildJSON(["--remote-cache"])
        #expect(shared["steps_run"] as? Int == 0, "\(shared)")
        #expect(shared["steps_from_remote"] as? Int == v2["steps_run"] as? Int)
        #expect(shared["build"] as? String == v2["build"] as? String)
        #expect(try b.shardHash() == a.shardHash())
        try b.sds("fsck").expectOK()
    }

    @Test func statusAndGCOfTheRemoteKeepEverythingATagOrACommitNeeds() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.origin(remoteURL: remote.root)
        defer { a.cleanup() }
        let before = try a.sds("status", "--remote")
        before.expectStatus(1)
        #expect(before.stdout.contains("remote 'origin' (\(remote.root)) lacks: "))
        #expect(before.stdout.contains("; tags v1"))
        try a.sds("push").expectOK()
        try a.sds("status", "--remote").expectOK()
        // v2: committed (its lock and pointer are in history), not tagged.
        try Self.changeOneLabel(a)
        _ = try a.buildJSON()
        try a.sds("add", "data").expectOK()
        try a.commitAll("v2")
        try a.sds("push").expectOK()
        // A build nothing names: pushed by id, then its lock and data are put back.
        try Self.changeOneLabel(a)
        let junk = try a.buildJSON()["build"] as! String
        try a.sds("push", String(junk.prefix(12))).expectOK()
        try a.git("checkout", "--", "sds.lock")
        try a.sds("checkout", "--force").expectOK()

        // Everything is younger than the default grace period: nothing goes.
        let young = try a.sds("gc", "--remote", "--json")
        young.expectOK()
        #expect(young.stdout.contains("\"removed_objects\":0"), "\(young.stdout)")
        // A push running elsewhere (its marker is fresh) stops gc.
        try remote.write("locks/push-1-2-3", "now\n")
        try a.sds("gc", "--remote", "--grace", "0").expectStatus(75)
        try FileManager.default.removeItem(atPath: remote.path("locks/push-1-2-3"))
        let dry = try a.sds("gc", "--remote", "--grace", "0", "--dry-run", "--json")
        dry.expectOK()
        let plan = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as! [String: Any]
        #expect((plan["removed_objects"] as? Int ?? 0) > 0, "\(dry.stdout)")
        try a.sds("gc", "--remote", "--grace", "0").expectOK()
        #expect(!remote.exists("closures/" + junk))
        // What v1 (a tag) and v2 (a commit's lock) need is all still there.
        let b = try Self.clone(a)
        defer { b.cleanup() }
        try b.sds("fetch", "v1").expectOK()
        try b.sds("verify", "v1").expectOK()
        try b.sds("pull").expectOK()
        try b.sds("verify").expectOK()
        #expect(try b.sds("fetch", junk).status == 66)
    }

    @Test func freshCloneVerbsFetchWhatTheyMissUnlessOffline() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.origin(remoteURL: remote.root)
        defer { a.cleanup() }
        try a.sds("push").expectOK()
        let b = try Self.clone(a)
        defer { b.cleanup() }
        // --offline: the store has nothing, and nothing is fetched.
        try b.sds("checkout", "--offline").expectStatus(66)
        try b.sds("verify", "v1", "--offline").expectStatus(66)
        // verify fetches the remote's tag and its build, saying so on stderr.
        let verify = try b.sds("verify", "v1")
        verify.expectOK()
        #expect(verify.stderr.contains("sds: fetching 'v1' from remote 'origin'"), "\(verify.stderr)")
        #expect(verify.stdout.contains("reproduced:"))
        // build fetches the absent tracked data, reuses every step of the last build and changes nothing.
        let c = try Self.clone(a)
        defer { c.cleanup() }
        let build = try c.buildJSON()
        #expect(build["steps_run"] as? Int == 0)
        #expect(try c.shardHash() == a.shardHash())
        #expect(try c.read("sds.lock") == a.read("sds.lock"))
        // checkout of the pointers fetches; a second one does not touch the remote.
        let d = try Self.clone(a)
        defer { d.cleanup() }
        let first = try d.sds("checkout")
        first.expectOK()
        #expect(first.stderr.contains("sds: fetching the data of 1 tracked path(s)"))
        let second = try d.sds("checkout")
        second.expectOK()
        #expect(!second.stderr.contains("fetching"))
    }

    @Test func killedPushAndFetchFinishWhenRunAgain() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.origin(remoteURL: "file://" + remote.root)
        defer { a.cleanup() }
        // Dies (SDS_FAILPOINT: no cleanup) once the objects landed, before any closure list or tag.
        let killed = try a.sds("push", env: ["SDS_FAILPOINT": "push.objects:1"])
        #expect(killed.status == 134, "\(killed)")
        #expect(!remote.exists("refs/tags/v1"))
        let b = try Self.clone(a)
        defer { b.cleanup() }
        // A reader sees no tag, so nothing half-published.
        try b.sds("fetch", "v1").expectStatus(66)
        let rerun = try a.sds("push", "--json")
        rerun.expectOK()
        #expect(rerun.stdout.contains("\"objects\":0"), "the rerun resends nothing that landed: \(rerun.stdout)")
        // A fetch killed after its objects arrived, before the tag: the rerun completes.
        let killedFetch = try b.sds("fetch", "v1", env: ["SDS_FAILPOINT": "fetch.objects:1"])
        #expect(killedFetch.status == 134, "\(killedFetch)")
        try b.sds("fetch", "v1").expectOK()
        try b.sds("verify", "v1").expectOK()
    }

    @Test(.enabled(if: s3 != nil, Comment(rawValue: s3Skip)))
    func s3RemoteTwoClonesAndEveryObjectChecksWithBoto3() throws {
        let prefix = Self.uniquePrefix()
        let a = try Self.origin(remoteURL: "s3://sds-test/\(prefix)", endpoint: Self.s3!)
        defer { a.cleanup() }
        try roundTrip(a)
        // What sds wrote, read back with boto3: every object lists, reads, and hashes to its name.
        let check = try a.run(ProcessInfo.processInfo.environment["SDS_S3_PYTHON"] ?? "python3",
                              [WearableData.repo + "/tests/remote/check_s3_remote.py", Self.s3!, "sds-test", prefix])
        check.expectOK()
        #expect(check.stdout.contains("ok:"))
    }

    @Test(.enabled(if: s3 != nil, Comment(rawValue: s3Skip)))
    func s3CorruptObjectIsNamedAndMissingCredentialsSayWhere() throws {
        let prefix = Self.uniquePrefix()
        let a = try Self.origin(remoteURL: "s3://sds-test/\(prefix)", endpoint: Self.s3!)
        defer { a.cleanup() }
        try a.sds("push").expectOK()
        let python = ProcessInfo.processInfo.environment["SDS_S3_PYTHON"] ?? "python3"
        let damage = try a.run(python, [WearableData.repo + "/tests/remote/check_s3_remote.py", Self.s3!, "sds-test", prefix, "--corrupt-one"])
        damage.expectOK()
        let damaged = damage.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let b = try Self.clone(a)
        defer { b.cleanup() }
        let fetch = try b.sds("fetch", "v1")
        fetch.expectStatus(65)
        #expect(fetch.stderr.contains("object \(damaged) on remote 'origin'"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("is corrupt"))
        // Nothing of the damaged object entered the store, and no tag was written.
        #expect(!b.exists(".sensorstore/tags/v1"))

        let noCreds = try b.sds("fetch", "v1", env: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
                                                     "AWS_SHARED_CREDENTIALS_FILE": b.path("none/credentials"),
                                                     "AWS_CONFIG_FILE": b.path("none/config")])
        noCreds.expectStatus(66)
        #expect(noCreds.stderr.contains("no AWS credentials found"))
        #expect(noCreds.stderr.contains("AWS_ACCESS_KEY_ID"))
        #expect(noCreds.stderr.contains(b.path("none/credentials")))
    }

    /// Starts tests/remote/fault_proxy.py in front of the S3 server; returns its endpoint and process.
    static func faultProxy(_ mode: String, in h: Harness) throws -> (endpoint: String, process: Process, log: String) {
        let portFile = h.path("proxy-port")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SDS_S3_PYTHON"] ?? "/usr/bin/python3")
        p.arguments = [WearableData.repo + "/tests/remote/fault_proxy.py", s3!, mode, portFile, "--seconds", "240"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: portFile) { usleep(50_000) }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        return ("http://127.0.0.1:\(port)", p, portFile + ".log")
    }

    @Test(.enabled(if: s3 != nil, Comment(rawValue: s3Skip)))
    func s3RetriesThroughFaultsAndFailsCleanlyWhenTheServerStaysDown() throws {
        let prefix = Self.uniquePrefix()
        let a = try Self.origin(remoteURL: "s3://sds-test/\(prefix)", endpoint: Self.s3!)
        defer { a.cleanup() }
        let fast = ["SDS_REMOTE_BACKOFF_MS": "5"]
        // Two requests of every three fail (503 SlowDown, reset, cut body, 500): every transfer still lands.
        let flaky = try Self.faultProxy("flaky", in: a)
        defer { flaky.process.terminate() }
        try a.sds("remote", "modify", "origin", "endpoint_url", flaky.endpoint, "--local").expectOK()
        try a.sds("push", env: fast).expectOK()
        let b = try Self.clone(a)
        defer { b.cleanup() }
        try b.sds("remote", "modify", "origin", "endpoint_url", flaky.endpoint, "--local").expectOK()
        try b.sds("fetch", "v1", env: fast).expectOK()
        try b.sds("verify", "v1", "--offline").expectOK()
        let counts = try String(contentsOfFile: flaky.log, encoding: .utf8)
        let faults = Int(counts.split(separator: " ")[1]) ?? 0
        #expect(faults > 10, "\(counts)")

        // A server that answers 503 to everything: a clear error naming the key and the remote, exit 74, no tag published.
        let down = try Self.faultProxy("down", in: b)
        defer { down.process.terminate() }
        try Self.changeOneLabel(a)
        try a.sds("add", "data").expectOK()
        try a.sds("remote", "modify", "origin", "endpoint_url", down.endpoint, "--local").expectOK()
        let failed = try a.sds("push", env: fast)
        failed.expectStatus(74)
        #expect(failed.stderr.contains("remote 'origin' (s3://sds-test/\(prefix)/)"), "\(failed.stderr)")
        #expect(failed.stderr.contains("failed after 6 attempts: HTTP 503 SlowDown"))
        #expect(failed.stderr.contains("'\(prefix)/"))
    }
}
