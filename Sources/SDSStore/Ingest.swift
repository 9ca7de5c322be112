import Dispatch
import Glibc
import SDSCore

/// Hashing and copying a file into the store in one read of it.
///
/// Large files are written with O_DIRECT from a second thread while the first
/// hashes the next chunk: on this kind of machine buffered writes into the page
/// cache cost about 3 s/GiB of kernel time, direct writes about 0.6 s/GiB.
package enum Ingest {
    /// Glibc hides O_DIRECT without _GNU_SOURCE; the values are the kernel's.
    #if arch(x86_64)
    static let O_DIRECT: Int32 = 0o40000
    #else
    static let O_DIRECT: Int32 = 0o200000
    #endif

    static let chunk = 4 << 20
    static let directThreshold: Int64 = 8 << 20

    /// Hashes a descriptor to the end; returns the id and the bytes read.
    ///
    /// With a tap (a parse of an object already stored) each 8 MiB chunk is hashed on a
    /// second thread while the tap reads it and the next chunk is read.
    static func hash(fd: Int32, path: String, tap: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> (ObjectID, Int64) {
        let size = tap == nil ? 1 << 20 : 8 << 20
        let buffers = (0..<(tap == nil ? 1 : 2)).map { _ in UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096) }
        defer { buffers.forEach { $0.deallocate() } }
        final class HashBox: @unchecked Sendable { var hasher = Hasher256() }
        let box = HashBox()
        let hashing = DispatchQueue(label: "sds.ingest.hash")
        let hashed = buffers.map { _ in DispatchGroup() }
        // Runs before the buffers are freed (defers run in reverse order).
        defer { hashed.forEach { $0.wait() } }
        var total: Int64 = 0
        var k = 0
        while true {
            let b = k % buffers.count
            hashed[b].wait()
            let n = try FileIO.readFull(fd, buffers[b], size, path: path)
            if n == 0 { break }
            total += Int64(n)
            let chunk = UnsafeRawBufferPointer(start: buffers[b], count: n)
            if let tap {
                let address = UInt(bitPattern: buffers[b])
                hashing.async(group: hashed[b]) {
                    box.hasher.update(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: n))
                }
                try tap(chunk)
            } else {
                box.hasher.update(chunk)
            }
            k += 1
        }
        hashed.forEach { $0.wait() }
        return (box.hasher.finalize(), total)
    }

    static func changedError(_ path: String) -> SDSError {
        SDSError(.busy, "'\(path)' changed while it was being read; nothing was stored for it",
                 hint: "wait until whatever writes it has finished, then run the command again")
    }

    /// Reads `path` once, hashing it and (when `store` is given) copying it into the store.
    ///
    /// `tap` sees every chunk in file order, on the reading thread, before it is written:
    /// a caller that also parses the file needs no second read of it. An error from
    /// `tap` abandons the copy. Without a store the file is only hashed (and tapped).
    ///
    /// - Returns: the id and the file's stat taken before the read.
    /// - Throws: `.busy` if size, mtime or ctime moved during the read.
    package static func file(_ path: String, into store: ObjectStore?,
                             tap: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> (ObjectID, FileStat) {
        let fd = try FileIO.open(path, O_RDONLY | O_NOFOLLOW)
        defer { close(fd) }
        let before = try FileIO.fstat(fd, path: path)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        let id: ObjectID
        var readBytes: Int64 = 0
        if let store {
            let tmp = store.newTempPath()
            do {
                if before.size >= directThreshold, let out = DirectWriter.open(tmp) {
                    defer { close(out) }
                    (id, readBytes) = try pipelined(from: fd, path: path, to: out, tmp: tmp, tap: tap)
                } else {
                    let out = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o444)
                    defer { close(out) }
                    (id, readBytes) = try buffered(from: fd, path: path, to: out, tmp: tmp, tap: tap)
                }
                try verifyUnchanged(fd: fd, path: path, before: before, readBytes: readBytes)
                try store.publish(tmp, as: id, deferSync: true)
            } catch {
                unlink(tmp)
                throw error
            }
        } else {
            (id, readBytes) = try hash(fd: fd, path: path, tap: tap)
            try verifyUnchanged(fd: fd, path: path, before: before, readBytes: readBytes)
        }
        return (id, before)
    }

    private static func verifyUnchanged(fd: Int32, path: String, before: FileStat, readBytes: Int64) throws {
        let after = try FileIO.fstat(fd, path: path)
        guard after.size == before.size, after.mtimeNs == before.mtimeNs, after.ctimeNs == before.ctimeNs,
              readBytes == before.size else { throw changedError(path) }
    }

    private static func buffered(from fd: Int32, path: String, to out: Int32, tmp: String,
                                 tap: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> (ObjectID, Int64) {
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        var hasher = Hasher256()
        var total: Int64 = 0
        while true {
            let n = try FileIO.read(fd, buffer, size, path: path)
            if n == 0 { break }
            total += Int64(n)
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
            try tap?(UnsafeRawBufferPointer(start: buffer, count: n))
            try FileIO.writeAll(out, buffer, n, path: tmp)
        }
        Failpoint.objectWritten.pass()
        try FileIO.fsync(out, path: tmp)
        return (hasher.finalize(), total)
    }

    /// Reader hashes chunk k+1 while the writer thread writes chunk k with O_DIRECT.
    ///
    /// With a tap the reader parses instead, and a third thread hashes: a chunk is read by
    /// all three at once and its buffer reused once it is both hashed and written.
    private static func pipelined(from fd: Int32, path: String, to out: Int32, tmp: String,
                                  tap: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> (ObjectID, Int64) {
        let slots = tap == nil ? 3 : 4
        let buffers = (0..<slots).map { _ in UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 4096) }
        defer { buffers.forEach { $0.deallocate() } }
        let hashing = DispatchQueue(label: "sds.ingest.hash")
        let hashed = (0..<slots).map { _ in DispatchGroup() }
        // Runs before the buffers are freed (defers run in reverse order).
        defer { hashed.forEach { $0.wait() } }
        // Starts at 0 and is signalled up: libdispatch traps when a semaphore is freed below its initial value.
        let free = DispatchSemaphore(value: 0)
        for _ in 0..<slots { free.signal() }
        let filled = DispatchSemaphore(value: 0)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: slots)
        defer { lengths.deallocate() }
        final class Failure: @unchecked Sendable {
            var error: Error?
            var hasher = Hasher256()
        }
        let failure = Failure()
        let hashOnWriter = tap != nil
        let done = DispatchSemaphore(value: 0)
        let bufferAddresses = buffers.map { UInt(bitPattern: $0) }
        let lengthAddress = UInt(bitPattern: lengths)

        // A queue of its own (its own thread): the writer blocks on semaphores and on the disk,
        // and a blocked worker of the shared pool can starve other work for ~1 s.
        DispatchQueue(label: "sds.ingest.writer").async {
            let lengths = UnsafeMutablePointer<Int>(bitPattern: lengthAddress)!
            var k = 0
            var direct = true
            while true {
                filled.wait()
                let n = lengths[k % slots]
                if n < 0 { break }
                if failure.error == nil {
                    let buffer = UnsafeMutableRawPointer(bitPattern: bufferAddresses[k % slots])!
                    do {
                        // O_DIRECT needs block-aligned lengths: the tail goes through the page cache.
                        let aligned = direct ? n & ~4095 : 0
                        if aligned > 0 { try FileIO.writeAll(out, buffer, aligned, path: tmp) }
                        if aligned < n {
                            if direct {
                                _ = fcntl(out, F_SETFL, fcntl(out, F_GETFL) & ~O_DIRECT)
                                direct = false
                            }
                            try FileIO.writeAll(out, buffer + aligned, n - aligned, path: tmp)
                        }
                    } catch { failure.error = error }
                }
                hashed[k % slots].wait()
                free.signal()
                k += 1
            }
            done.signal()
        }

        var hasher = Hasher256()
        var total: Int64 = 0
        var k = 0
        var readError: Error?
        while true {
            free.wait()
            let buffer = buffers[k % slots]
            let n: Int
            do { n = try FileIO.readFull(fd, buffer, chunk, path: path) } catch {
                readError = error
                lengths[k % slots] = -1
                filled.signal()
                break
            }
            if n == 0 {
                lengths[k % slots] = -1
                filled.signal()
                break
            }
            total += Int64(n)
            if let tap {
                let address = UInt(bitPattern: buffer)
                hashing.async(group: hashed[k % slots]) {
                    failure.hasher.update(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: n))
                }
                do { try tap(UnsafeRawBufferPointer(start: buffer, count: n)) } catch {
                    readError = error
                    lengths[k % slots] = -1
                    filled.signal()
                    break
                }
            } else {
                hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
            }
            lengths[k % slots] = n
            filled.signal()
            k += 1
        }
        done.wait()
        hashed.forEach { $0.wait() }
        if let readError { throw readError }
        if let error = failure.error { throw error }
        Failpoint.objectWritten.pass()
        try FileIO.fsync(out, path: tmp)
        return (hashOnWriter ? failure.hasher.finalize() : hasher.finalize(), total)
    }
}
