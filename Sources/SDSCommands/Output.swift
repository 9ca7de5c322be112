import Glibc
import SDSCore

/// Where human output goes; stdout for results, stderr for diagnostics.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    static func error(_ text: String, newline: Bool = true) {
        var t = Quoted.capLines(text)
        if newline && !t.hasSuffix("\n") { t += "\n" }
        var bytes = Array(t.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { break }
            done += n
        }
    }

    static func warning(_ text: String) { error("warning: " + text) }

    /// Bytes in a short human form (binary units).
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format1(v)) + " " + units[u]
    }

    private static func format1(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
