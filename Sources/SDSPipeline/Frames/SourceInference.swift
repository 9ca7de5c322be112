import SDSCore
import SDSSensors

/// `sds infer`: a `sources:` entry for one input file, compressed or not.
public enum SourceInference {
    /// The entry for the file at `path` (written into the entry as given), with its notes.
    /// - Throws: `SDSError` `.notFound`/`.io` for a file that cannot be read, `.badData` for one
    ///   that is not a CSV or JSON Lines file with a time column sds can read.
    public static func infer(path: String) throws -> TableInference {
        let bytes = try sample(try FileIO.readFile(path), file: path)
        do {
            if TableInference.isJSONLines(bytes) { return try TableInference.inferJSONLines(bytes, path: path, name: name(path)) }
            return try TableInference.infer(bytes, path: path, name: name(path))
        } catch {
            throw SDSError(.badData, error.description,
                           hint: "sds infer reads CSV files (any single-byte delimiter) with a header line and JSON Lines files, plain, gzip or zstd")
        }
    }

    /// The plain text of `raw`, inflated only as far as the sample needs (whole lines).
    static func sample(_ raw: [UInt8], file: String) throws -> [UInt8] {
        guard var source = try InputDecompression.source(raw, file: file) else { return raw }
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: InputDecompression.chunk, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0
        while lines <= TableInference.sampleRows {
            let n = try source.read(into: buffer)
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
            lines += buffer[0..<n].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        // Up to the last whole line, so no value is read cut short.
        if let last = out.lastIndex(of: UInt8(ascii: "\n")) { out.removeSubrange((last + 1)...) }
        return out
    }

    /// The source's name: the file's name without its extensions, letters, digits and `_` only.
    static func name(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.split(separator: ".").first.map(String.init) ?? file
        let cleaned = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return cleaned.isEmpty ? "source" : cleaned
    }
}
