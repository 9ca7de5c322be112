import Glibc
import SDSCore

/// A fresh folder under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init() {
        var template = Array("/tmp/sds-test-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    func write(_ rel: String, _ text: String) throws {
        try FileIO.makeDirectories(FileIO.parentDirectory(path + "/" + rel))
        try FileIO.writeFileAtomically(path + "/" + rel, Array(text.utf8))
    }

    func cleanup() { _ = system("rm -rf '\(path)'") }
}
