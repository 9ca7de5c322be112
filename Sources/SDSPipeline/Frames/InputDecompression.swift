import CZlib
import CZstd
import SDSCore

/// Compressed source inputs (`.csv.gz`, `.jsonl.zst`, …): the store keeps the file as given and
/// the read step inflates it in memory, chunk by chunk, straight into the buffer the reader
/// parses (no temporary file). The kind is told by the leading magic bytes, never by the
/// name, so a text file is never mistaken for one.
enum InputDecompression {
    enum Kind { case gzip, zstd }

    /// The compression of `bytes`, or nil for plain text.
    static func kind(_ bytes: some Collection<UInt8>) -> Kind? {
        let head = Array(bytes.prefix(4))
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        return nil
    }

    /// `bytes` decompressed when they are gzip or zstd, else as they are.
    /// - Throws: `.badData` naming `file` for a corrupt or truncated stream.
    static func plain(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        switch kind(bytes) {
        case nil: return bytes
        case .gzip: return try gunzip(bytes, file: file)
        case .zstd: return try unzstd(bytes, file: file)
        }
    }

    private static let chunk = 1 << 20

    /// Every gzip member of `bytes`, concatenated (as `gzip -d` does).
    static func gunzip(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4)
        var stream = z_stream()
        guard inflateInit2_(&stream, MAX_WBITS + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SDSError(.internal, "zlib could not start inflating \(file)")
        }
        defer { inflateEnd(&stream) }
        var buffer = [UInt8](repeating: 0, count: chunk)
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { b -> Int32 in
                    stream.next_out = b.baseAddress
                    stream.avail_out = uInt(b.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                out.append(contentsOf: buffer.prefix(chunk - Int(stream.avail_out)))
                switch status {
                case Z_STREAM_END:
                    // Another member may follow.
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw SDSError(.badData, "\(file): the gzip stream ends early (after \(out.count) bytes of text)",
                                   hint: "the file is cut short; copy or download it again")
                default:
                    throw SDSError(.badData, "\(file): not valid gzip data (zlib status \(status))")
                }
            }
        }
        return out
    }

    /// Every zstd frame of `bytes`, concatenated.
    static func unzstd(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard let context = ZSTD_createDStream() else { throw SDSError(.internal, "zstd could not start decompressing \(file)") }
        defer { ZSTD_freeDStream(context) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4)
        var buffer = [UInt8](repeating: 0, count: chunk)
        try bytes.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            var last: Int = 0
            while true {
                let produced = try buffer.withUnsafeMutableBytes { b -> Int in
                    var output = ZSTD_outBuffer(dst: b.baseAddress, size: b.count, pos: 0)
                    let r = ZSTD_decompressStream(context, &output, &input)
                    if ZSTD_isError(r) != 0 {
                        throw SDSError(.badData, "\(file): not valid zstd data (\(String(cString: ZSTD_getErrorName(r))))")
                    }
                    last = r
                    return output.pos
                }
                out.append(contentsOf: buffer.prefix(produced))
                if input.pos == input.size, produced < chunk {
                    // 0: the last frame is complete; anything else wants more input than there is.
                    guard last == 0 else {
                        throw SDSError(.badData, "\(file): the zstd stream ends early (after \(out.count) bytes of text)",
                                       hint: "the file is cut short; copy or download it again")
                    }
                    return
                }
            }
        }
        return out
    }
}
