import ArgumentParser
import SDSCore

/// The `sds` root command: only lists the verbs; each lives in its own file.
public struct SDS: ParsableCommand {
    public static let version = SDSVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "sds",
        abstract: "Version sensor datasets like code: a content-addressed store beside git.",
        discussion: """
            Raw data stays out of git: 'sds add PATH' stores it in .sensorstore/ and writes a small pointer file PATH.sds that git tracks. Commit the pointer; 'sds checkout REV' puts the data of any commit back, verified by hash.

              sds init                 make a store here
              sds add data/            store data/, write data.sds, ignore data/ in git
              git add data.sds .gitignore && git commit -m "raw data v1"
              sds status               what changed since the last add
              sds checkout HEAD~1      restore the data of the previous commit
              sds build && sds tag v1  build the dataset (sds.yaml) and name the build
              sds diff v1              what changed since v1: inputs, spec, code, outputs, statistics
              sds report v1 v2         the same as a page: coverage, distributions, shift (report.html)

            More: 'sds help VERB' for a verb, 'sds help spec' (every key of sds.yaml), 'sds help formats' (input and output files), 'sds help exit-codes'.

            Exit statuses: 0 ok, 1 differences or problems found, 64 usage, 65 bad data, 66 not found, 67 a run: step's command failed, 69 cannot verify (other operator versions), 70 internal error, 73 refused to lose data (use --force), 74 I/O error, 75 busy or changing (try again), 130 interrupted.
            """,
        version: version,
        subcommands: [
            Init.self, Add.self, Status.self, Checkout.self, Log.self, Fsck.self, InstallHooks.self, Build.self, LineageCommand.self,
            Diff.self, Report.self, Tag.self, Show.self, Verify.self, GC.self, Query.self, Infer.self,
            Remote.self, Push.self, Fetch.self, Pull.self, Unprotect.self,
            Inspect.self, WriteTestDataset.self, BenchTFRecord.self, BenchArrayRecord.self, BenchReader.self,
        ]
    )

    public init() {}
}
