import SDSCore
import SDSSensors

/// `sds infer`: a `sources:` entry for one input file, compressed or not.
public enum SourceInference {
    /// The entry for the file at `path` (written into the entry as given), with its notes.
    /// - Throws: `SDSError` `.notFound`/`.io` for a file that cannot be read, `.badData` for one
    ///   that is not a CSV file with a time column sds can read.
    public static func infer(path: String) throws -> TableInference {
        let raw = try FileIO.readFile(path)
        let bytes = try InputDecompression.plain(raw, file: path)
        do {
            return try TableInference.infer(bytes, path: path, name: name(path))
        } catch {
            throw SDSError(.badData, error.description,
                           hint: "sds infer reads CSV files (any single-byte delimiter, gzip or zstd) with a header line")
        }
    }

    /// The source's name: the file's name without its extensions, letters, digits and `_` only.
    static func name(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.split(separator: ".").first.map(String.init) ?? file
        let cleaned = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return cleaned.isEmpty ? "source" : cleaned
    }
}
