import ArgumentParser
import SDSCore
import SDSPipeline

/// `sds infer FILE…`: prints a `sources:` entry for each file, ready to paste into sds.yaml.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Print a ready 'sources:' entry for CSV and JSON Lines files, from a sample of their rows.",
        discussion: """
            Reads up to 50,000 rows of each file (gzip and zstd are inflated as far as the sample goes) and prints its delimiter, partition column, time column with its layout, and each column's type, with the evidence as comments: which columns could be the partition, and why a date is read day-first or month-first. A JSON Lines file (its first line starts with "{") gives one column per key; keys holding objects or arrays are left out, and a number time named like one (ts, time, …) is read as epoch_ms or epoch_s by its size. A date whose day and month cannot be told apart in the sample is marked AMBIGUOUS; check it before building.
            """)

    @Argument(help: "CSV or JSON Lines files (.csv, .tsv, .jsonl, plain, .gz or .zst).")
    var files: [String]

    func run() throws {
        try reporting {
            var out = ["sources:"]
            for file in files {
                let inferred = try SourceInference.infer(path: file)
                out.append("  # \(file):")
                out += inferred.notes.map { "  #   " + $0 }
                out.append(inferred.entry)
            }
            Output.line(out.joined(separator: "\n"))
        }
    }
}
