import SDSArrayRecord
import SDSCore
import SDSStore

/// Writes the records of a shard's subjects' chunks (entity order) as one ArrayRecord file.
enum ArrayRecordShard {
    static let operatorName = "array_record.shard"
    static let operatorVersion = 1

    /// Its entry in a manifest's operator versions, only when the spec writes ArrayRecord
    /// (so TFRecord-only builds keep their ids).
    static func versions(_ output: OutputFormats) -> [String: Int] {
        output.formats.contains(.arrayRecord) ? [operatorName: operatorVersion] : [:]
    }

    /// The chunks hold TFRecord-framed records, read from the store (so checked by hash):
    /// the frames are stripped, the records written as they are.
    static func write(_ chunks: [ObjectID], store: ObjectStore, options: ArrayRecordOptions) throws -> [UInt8] {
        let data = try chunks.map { try store.read($0) }
        let writer = try ArrayRecordWriter(options: options, capacity: data.reduce(0) { $0 + $1.count })
        for bytes in data {
            try bytes.withUnsafeBytes { b in
                var i = 0
                while i < b.count {
                    guard b.count - i >= 16 else { throw SDSError(.badData, "a record chunk ends inside a record frame") }
                    let n = Int(b.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
                    guard n <= b.count - i - 16 else { throw SDSError(.badData, "a record chunk ends inside a record") }
                    try writer.append(UnsafeRawBufferPointer(rebasing: b[(i + 12)..<(i + 12 + n)]))
                    i += 16 + n
                }
            }
        }
        return try writer.finish()
    }
}
