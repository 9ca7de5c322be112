import ArgumentParser
import SDSCore
import SDSPipeline

/// `sds infer FILE…`: prints a `sources:` entry for each file, ready to paste into sds.yaml.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Print a ready 'sources:' entry for CSV files, from a sample of their rows.",
        discussion: """
            Reads up to 50,000 rows of each file (gzip and zstd are inflated) and prints its delimiter, partition column, time column with its layout, and each column's type, with the evidence as comments: which columns could be the partition, and why a date is read day-first or month-first. A date whose day and month cannot be told apart in the sample is marked AMBIGUOUS; check it before building.
            """)

    @Argument(help: "CSV files (.csv, .tsv, .csv.gz, .csv.zst).")
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
