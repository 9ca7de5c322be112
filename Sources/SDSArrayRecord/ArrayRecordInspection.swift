import SDSTFRecord

/// `sds inspect` for ArrayRecord: every chunk and block header of every file checked,
/// every record decoded as a tf.train.Example, counts against the footer and `shardLengths`.
public enum ArrayRecordInspection {
    /// Adds the ArrayRecord shards of `folder` (if it declares that format) to `result`.
    public static func addShards(of folder: TFDSFolder, to result: inout TFRecordInspection, sampleLimit: Int) {
        guard folder.fileFormats.contains("array_record") else { return }
        for split in folder.splits {
            for (file, expected) in zip(folder.shardPaths(of: split, format: "array_record"), split.shardLengths) {
                check(file, split: split.name, expected: expected, into: &result, sampleLimit: sampleLimit)
            }
        }
    }

    /// Checks one file and adds its report (and the first samples) to `result`.
    public static func check(_ path: String, split: String?, expected: Int?, into result: inout TFRecordInspection, sampleLimit: Int) {
        var report = TFRecordFileCheck(path: path, split: split, records: 0, expectedRecords: expected, dataBytes: 0,
                                       format: "array_record")
        defer { result.files.append(report) }
        do {
            let reader = try ArrayRecordReader(path: path)
            try reader.verify { index, chunkOffset, record in
                let example = try decode(record, path: path, index: index)
                if result.samples.count < sampleLimit {
                    result.samples.append(TFRecordSample(file: path, record: index, offset: chunkOffset, size: record.count, example: example))
                }
                report.records += 1
                report.dataBytes += UInt64(record.count)
            }
            if let expected, expected != report.records {
                report.error = TFRecordError(.recordCountMismatch, "shardLengths says \(expected) records, the file has \(report.records)", file: path)
            }
        } catch let error as ArrayRecordError {
            report.error = converted(error)
        } catch let error as TFRecordError {
            report.error = error
        } catch {
            report.error = TFRecordError(.io, "\(error)", file: path)
        }
    }

    /// Record `index` of the file, read at random (only the footer and its chunk are read).
    public static func record(_ index: Int, path: String) throws(TFRecordError) -> TFRecordSample {
        do {
            let reader = try ArrayRecordReader(path: path)
            let bytes = try reader.record(index)
            let offset = reader.chunks[try reader.chunkIndex(ofRecord: index)].offset
            return TFRecordSample(file: path, record: index, offset: offset, size: bytes.count,
                                  example: try decode(bytes, path: path, index: index))
        } catch let error as ArrayRecordError {
            throw converted(error)
        } catch let error as TFRecordError {
            throw error
        } catch {
            throw TFRecordError(.io, "\(error)", file: path)
        }
    }

    static func decode(_ record: [UInt8], path: String, index: Int) throws -> Example {
        do {
            return try ExampleDecoder.decode(record)
        } catch let error as TFRecordError {
            var e = error
            e.file = path
            e.message = "record \(index): " + e.message
            throw e
        }
    }

    public static func converted(_ error: ArrayRecordError) -> TFRecordError {
        TFRecordError(TFRecordError.Code(rawValue: error.code.rawValue), error.message, file: error.file, offset: error.offset)
    }
}
