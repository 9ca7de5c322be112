import ArgumentParser
import SDSSensors
import SDSTFRecord

#if canImport(Glibc)
import Glibc
#endif

/// Plumbing for bench/reader_bench.sh: times `TableReader` on one file, on the calling thread.
struct BenchReader: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reader",
        abstract: "Time the table reader (read.table) on one CSV or JSON Lines file (plumbing).",
        discussion: """
            The file is read into memory first (not timed); then it is parsed --runs times into partition frames, strictly (a bad row fails the run). Prints one JSON line: file, bytes, rows, partitions, runs, bestSeconds, medianSeconds, bestMBps and medianMBps (10^6 bytes/s of input, one core), and bestCPUSeconds and bestCPUMBps (the thread's CPU time, steadier on a busy machine).
            """,
        shouldDisplay: false)

    @Argument(help: "The file to read.")
    var file: String

    @Option(help: "csv or jsonl.")
    var format: String = "csv"

    @Option(help: "A partition key column (repeat for several).")
    var partition: [String] = []

    @Option(help: "The time column.")
    var time: String

    @Option(help: "As 'format:' in sds.yaml: iso8601, us_12h, us_24h, us_date, date, epoch_s, epoch_ms or a pattern such as \"%m/%d/%Y %I:%M:%S %p\".")
    var timeFormat: String = "iso8601"

    @Option(help: "A number column to read (repeat for several).")
    var column: [String] = []

    @Option(help: "A text column to read (repeat for several).")
    var textColumn: [String] = []

    @Option(help: "A wide pattern such as Steps{index}, unpivoted into column 'value'.")
    var widePattern: String?

    @Option(help: "Milliseconds between wide indices.")
    var wideStep: Int64 = 60_000

    @Option(help: "Timed runs.")
    var runs: Int = 5

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        guard ["csv", "jsonl"].contains(format) else { throw ValidationError("--format is csv or jsonl") }
        do { _ = try FrameTimeFormat(timeFormat) } catch { throw ValidationError("--time-format: \(error.message)") }
    }

    func run() throws {
        guard let bytes = Self.readAll(file) else {
            Output.error("error: cannot read \(file)")
            throw ExitCode(ExitStatus.code(for: .io))
        }
        let settings = TableReaderParameters(
            format: format == "jsonl" ? .jsonl : .csv, partition: partition,
            time: FrameTimeSpec(column: time, format: (try? FrameTimeFormat(timeFormat)) ?? .iso8601),
            columns: column.map { FrameReadColumn(source: $0) } + textColumn.map { FrameReadColumn(source: $0, type: .text) },
            wide: widePattern.map { WideTimeColumns(pattern: $0, value: "value", step: wideStep) })
        let reader = TableReader(settings)
        let name = String(file.split(separator: "/").last ?? "")
        var seconds: [Double] = []
        var cpuSeconds: [Double] = []
        var rows = 0, partitions = 0
        for _ in 0..<runs {
            var quarantine = Quarantine(strict: true)
            let start = ContinuousClock.now
            let cpuStart = Self.threadCPU()
            let result: Result<[Frame], SensorError> = Self.read(reader, bytes, name, &quarantine)
            cpuSeconds.append(Self.threadCPU() - cpuStart)
            let elapsed = ContinuousClock.now - start
            switch result {
            case .success(let frames):
                seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                rows = frames.reduce(0) { $0 + $1.rowCount }
                partitions = frames.count
            case .failure(let error):
                Output.error(error.description)
                throw ExitCode(ExitStatus.code(for: error.isDataError ? .badData : .usage))
            }
        }
        seconds.sort()
        let best = seconds[0], median = seconds[seconds.count / 2]
        // The thread's CPU time: on a loaded machine the wall time also counts waiting for a core.
        let bestCPU = cpuSeconds.min()!
        let size = Double(bytes.count)
        Output.line(JSONValue.object([
            "file": .string(file), "bytes": .int(bytes.count), "rows": .int(rows), "partitions": .int(partitions),
            "runs": .int(runs), "bestSeconds": .double(best), "medianSeconds": .double(median),
            "bestMBps": .double(size / best / 1e6), "medianMBps": .double(size / median / 1e6),
            "bestCPUSeconds": .double(bestCPU), "bestCPUMBps": .double(size / bestCPU / 1e6),
        ]).compact())
    }

    /// CPU seconds this thread has run.
    private static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private static func read(_ reader: TableReader, _ bytes: [UInt8], _ name: String,
                             _ quarantine: inout Quarantine) -> Result<[Frame], SensorError> {
        do throws(SensorError) {
            return .success(try reader.read(bytes, file: name, quarantine: &quarantine))
        } catch {
            return .failure(error)
        }
    }

    /// The whole file, or nil if it cannot be read.
    static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}
