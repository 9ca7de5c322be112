import SDSCore
import SDSStore

/// Splits CSV files by an entity column for per-partition run steps, and joins their outputs.
///
/// A partition is the header line plus the entity's rows, in file order, as a blob; the split
/// is recorded as `{"header": id, "partitions": {entity: id}}`. Fields are split at commas:
/// the entity column and the ones before it must not hold quoted commas.
enum CSVPartitions {
    static func split(_ bytes: [UInt8], column: String, what: String, store: ObjectStore) throws -> [UInt8] {
        let nl = UInt8(ascii: "\n"), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), quote = UInt8(ascii: "\"")
        guard let headerEnd = bytes.firstIndex(of: nl) else {
            throw SDSError(.badData, "\(what) has no header line to split by '\(column)'")
        }
        let header = Array(bytes[...headerEnd])
        let names = header.dropLast().split(separator: comma, omittingEmptySubsequences: false).map { f in
            String(decoding: f.filter { $0 != cr && $0 != quote }, as: UTF8.self)
        }
        guard let col = names.firstIndex(of: column) else {
            throw SDSError(.badData, "\(what) has no column '\(column)' to split by (its columns: \(names.joined(separator: ", ")))")
        }
        var parts: [String: [UInt8]] = [:]
        var start = headerEnd + 1
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: nl) ?? bytes.count
            let line = bytes[start..<end]
            if !line.isEmpty && line != [cr] {
                let fields = line.split(separator: comma, maxSplits: col + 1, omittingEmptySubsequences: false)
                guard fields.count > col else { throw SDSError(.badData, "\(what) has a row without a '\(column)' field") }
                let entity = String(decoding: fields[col].filter { $0 != cr && $0 != quote }, as: UTF8.self)
                parts[entity, default: header] += line
                parts[entity]!.append(nl)
            }
            start = end + 1
        }
        var index: [String: JSON] = [:]
        for (e, b) in parts { index[e] = .string(try store.put(b, deferSync: true).hex) }
        return JSON.object(["header": .string(try store.put(header, deferSync: true).hex), "partitions": .object(index)]).canonical()
    }

    static func index(_ bytes: [UInt8]) throws -> (header: ObjectID, parts: [String: ObjectID]) {
        let j = try JSONReader.parse(bytes)
        guard let h = j["header"]?.string.flatMap({ ObjectID(hex: $0) }), let p = j["partitions"]?.object else {
            throw SDSError(.badData, "a CSV partition index is malformed")
        }
        return (h, try p.mapValues { v in
            guard let id = v.string.flatMap({ ObjectID(hex: $0) }) else { throw SDSError(.badData, "a CSV partition index is malformed") }
            return id
        })
    }

    /// The outputs of a per-partition step as one CSV: the first partition's header, then
    /// every partition's rows in entity order. Every partition must write the same header.
    static func concatenate(_ outputs: [ObjectID], entities: [String], step: String, store: ObjectStore) throws -> ObjectID {
        var out: [UInt8] = []
        var header: ArraySlice<UInt8>?
        for (id, entity) in zip(outputs, entities) {
            var bytes = try store.read(id)
            if !bytes.isEmpty && bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            let end = bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
            if let header {
                guard bytes[..<end] == header else {
                    throw SDSError(.commandFailed, "step '\(step)': partition \(entity) wrote another header line than "
                                   + "partition \(entities[0]); per-partition outputs are joined under one header")
                }
                out += bytes[end...]
            } else {
                header = bytes[..<end]
                out += bytes
            }
        }
        // Written through at once: the build's reader opens it from objects/ (a staged object is not there yet).
        return try store.put(out)
    }
}
