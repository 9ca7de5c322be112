import Glibc
import SDSFuzzTargets

// Built with `-sanitize=fuzzer -D SDS_FUZZ` (tests/fuzz/build.sh) this is a libFuzzer target;
// SDS_FUZZ_TARGET names which reader it feeds. Built plainly, it replays files through one.
func say(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

#if SDS_FUZZ
nonisolated(unsafe) let target: ([UInt8]) -> Void = {
    let name = getenv("SDS_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let run = FuzzTargets.all[name] else {
        say("sds-fuzz: set SDS_FUZZ_TARGET to one of \(FuzzTargets.all.keys.sorted().joined(separator: ", "))\n")
        exit(64)
    }
    return run
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    target(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

typealias CArgs = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<CArgs?>,
               _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

// SwiftPM links an executable with `main` = this module's entry; hand it to libFuzzer's driver.
@_cdecl("sds_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: CArgs?) -> Int32 {
    var argc = argc, argv = argv
    return runDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
#else
@main enum Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let run = FuzzTargets.all[name] else {
            say("usage: sds-fuzz TARGET FILE...  (targets: \(FuzzTargets.all.keys.sorted().joined(separator: ", ")))\n")
            exit(64)
        }
        for path in args.dropFirst() {
            guard let f = fopen(path, "rb") else { say("sds-fuzz: cannot open \(path)\n"); exit(66) }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            fclose(f)
            run(bytes)
        }
    }
}
#endif
