import SDSCore
import SDSPipeline

/// The coverage heatmap of one study: partitions down, windows (or days) across, one chart per
/// channel; for studies whose partitions have one window each (whole runs), one chart with the
/// channels across. Every cell is a `rect` with `data-w` (its window key) and `data-n` (how
/// many windows it stands for), and a tooltip; dropped windows carry their filter's mark.
struct Heatmap {
    var study: String
    var partitions: [PartitionWindows]
    /// The study's filter rules, by index.
    var rules: [String]
    /// Entity → split, for the table.
    var splitOf: [String: String] = [:]

    init(study: String, partitions: [PartitionWindows], rules: [String]) {
        self.study = study
        self.partitions = partitions
        self.rules = rules
    }

    /// The channels, in the order the windows list them.
    var channels: [String] {
        var out: [String] = []
        for p in partitions { for c in p.channels where !out.contains(c) { out.append(c) } }
        return out
    }

    /// One window per partition at most: draw channels across.
    var wholeWindows: Bool { partitions.allSatisfy { $0.windows.count <= 1 } && channels.count > 1 }

    /// The columns: window keys, or their days (or months) when there are too many to draw.
    func columns() -> (keys: [String], group: (String) -> String, unit: String) {
        let keys = Set(partitions.flatMap { $0.windows.map(\.window) })
        if keys.count <= 160 { return (keys.sorted(), { $0 }, "window") }
        let days = Set(keys.map { String($0.prefix(10)) })
        if days.count <= 400 { return (days.sorted(), { String($0.prefix(10)) }, "day") }
        return (Set(keys.map { String($0.prefix(7)) }).sorted(), { String($0.prefix(7)) }, "month")
    }

    func render() -> String {
        var out = "<div class=\"grid\">"
        if wholeWindows {
            out += chartWhole()
        } else {
            let cols = columns()
            for (c, name) in channels.enumerated() { out += chart(channel: c, name: name, columns: cols) }
        }
        out += "</div>"
        let dropped = rules.indices.map { i in partitions.reduce(0) { $0 + ($1.dropped.indices.contains(i) ? $1.dropped[i] : 0) } }
        out += Charts.heatmapLegend(rules: zip(rules, dropped).map { ($0, $1) })
        return out
    }

    /// Layout: cell width and height, label width, header height.
    private func layout(columns: Int, rows: Int, header: Bool) -> (cw: Double, ch: Double, lw: Double, hh: Double) {
        let longest = partitions.map { Swift.min(22, $0.partition.count) }.max() ?? 4
        let lw = 10 + 6.2 * Double(longest)
        let cw = Swift.min(14, Swift.max(3, ((wholeWindows ? 1000 : 380) - lw) / Double(Swift.max(1, columns))))
        let ch = Swift.min(12, Swift.max(3, 900 / Double(Swift.max(1, rows))))
        return (cw.rounded(.down), ch.rounded(.down), lw, header ? 62 : 4)
    }

    private func rowLabels(_ ch: Double, lw: Double, hh: Double) -> String {
        var s = ""
        let every = ch >= 9 ? 1 : Int((9 / ch).rounded(.up))
        for (r, p) in partitions.enumerated() where r % every == 0 {
            s += "<text class=\"t\" x=\"\(Fmt.px(lw - 4))\" y=\"\(Fmt.px(hh + Double(r) * ch + ch - 2))\" text-anchor=\"end\">"
                + HTML.escape(Charts.clip(p.partition, 22)) + "</text>"
        }
        return s
    }

    private func columnLabels(_ labels: [String], cw: Double, lw: Double, hh: Double) -> String {
        var s = ""
        let every = cw >= 11 ? 1 : Int((11 / cw).rounded(.up))
        for (i, l) in labels.enumerated() where i % every == 0 {
            let x = lw + Double(i) * cw + cw / 2 + 3
            s += "<text x=\"\(Fmt.px(x))\" y=\"\(Fmt.px(hh - 4))\" transform=\"rotate(-90 \(Fmt.px(x)) \(Fmt.px(hh - 4)))\">"
                + HTML.escape(Charts.clip(l, 11)) + "</text>"
        }
        return s
    }

    /// The filter rule a cell is marked with: the one that dropped most of its windows.
    private func rule(of windows: [WindowCoverage]) -> Int? {
        var counts: [Int: Int] = [:]
        for w in windows { if let r = w.droppedBy { counts[r, default: 0] += 1 } }
        return counts.sorted { ($0.value, -$0.key) > ($1.value, -$1.key) }.first?.key
    }

    private func ruleName(_ i: Int) -> String { i < rules.count ? rules[i] : "filter \(i + 1)" }

    private func tooltip(partition: String, key: String, channel: String, windows: [WindowCoverage], c: Int) -> String {
        let present = windows.reduce(0) { $0 + (c < $1.present.count ? $1.present[c] : 0) }
        let slots = windows.reduce(0) { $0 + (c < $1.slots.count ? $1.slots[c] : 0) }
        let share = slots > 0 ? Double(present) / Double(slots) : 0
        var t = "\(partition) \(key): \(channel) \(Fmt.percent(share)) (\(Fmt.int(present)) of \(Fmt.int(slots)) slots)"
        let dropped = windows.compactMap(\.droppedBy)
        if windows.count == 1 {
            t += dropped.first.map { "; dropped by \(ruleName($0))" } ?? "; kept"
        } else {
            t += "; \(windows.count) windows"
            if !dropped.isEmpty {
                let byRule = Dictionary(grouping: dropped, by: { $0 }).sorted { $0.key < $1.key }
                t += ", dropped: " + byRule.map { "\(ruleName($0.key)) ×\($0.value.count)" }.joined(separator: ", ")
            }
        }
        return t
    }

    private func chart(channel c: Int, name: String, columns: (keys: [String], group: (String) -> String, unit: String)) -> String {
        let (cw, ch, lw, hh) = layout(columns: columns.keys.count, rows: partitions.count, header: true)
        let width = Int(lw + Double(columns.keys.count) * cw + 4), height = Int(hh + Double(partitions.count) * ch + 4)
        let index = Dictionary(uniqueKeysWithValues: columns.keys.enumerated().map { ($1, $0) })
        var cells = "", marks = [String](repeating: "", count: 6)
        for (r, p) in partitions.enumerated() {
            var groups: [String: [WindowCoverage]] = [:]
            for w in p.windows { groups[columns.group(w.window), default: []].append(w) }
            for (key, ws) in groups.sorted(by: { $0.key < $1.key }) {
                guard let col = index[key] else { continue }
                let x = lw + Double(col) * cw, y = hh + Double(r) * ch
                let present = ws.reduce(0) { $0 + (c < $1.present.count ? $1.present[c] : 0) }
                let slots = ws.reduce(0) { $0 + (c < $1.slots.count ? $1.slots[c] : 0) }
                let allDropped = ws.allSatisfy { $0.droppedBy != nil }
                let cls = Charts.coverageClass(slots > 0 ? Double(present) / Double(slots) : 0) + (allDropped ? " x" : "")
                cells += "<rect class=\"\(cls)\" x=\"\(Fmt.px(x))\" y=\"\(Fmt.px(y))\" width=\"\(Fmt.px(cw - 1))\" height=\"\(Fmt.px(ch - 1))\" data-w=\"\(HTML.escape(key))\" data-n=\"\(ws.count)\"><title>"
                    + HTML.escape(tooltip(partition: p.partition, key: key, channel: name, windows: ws, c: c)) + "</title></rect>"
                if let rule = rule(of: ws) { marks[rule % 6] += Charts.mark(rule, x: x, y: y, w: cw - 1, h: ch - 1) }
            }
        }
        var s = "<figure>"
        s += "<figcaption>" + HTML.escape("\(name): coverage per \(columns.unit), \(partitions.count) partitions") + "</figcaption>"
        s += HTML.open("svg", [("viewBox", "0 0 \(width) \(height)"), ("width", String(width)), ("height", String(height)),
                               ("role", "img"), ("aria-label", "Coverage of \(name) per partition and \(columns.unit) in study \(study); the table below lists each partition"),
                               ("data-heatmap", study), ("data-channel", name)])
        s += columnLabels(columns.keys.map { columns.unit == "window" && $0.count == 10 ? String($0.dropFirst(5)) : $0 }, cw: cw, lw: lw, hh: hh)
        s += rowLabels(ch, lw: lw, hh: hh) + cells
        for (i, d) in marks.enumerated() where !d.isEmpty { s += "<path class=\"d\(i)\" d=\"\(d)\"/>" }
        return s + "</svg></figure>"
    }

    /// One window per partition: partitions down, channels across.
    private func chartWhole() -> String {
        let names = channels
        let (cw, ch, lw, hh) = layout(columns: names.count, rows: partitions.count, header: true)
        let width = Int(lw + Double(names.count) * cw + 4), height = Int(hh + Double(partitions.count) * ch + 4)
        var cells = "", marks = [String](repeating: "", count: 6)
        for (r, p) in partitions.enumerated() {
            guard let w = p.windows.first else { continue }
            for (col, name) in names.enumerated() {
                guard let c = p.channels.firstIndex(of: name) else { continue }
                let x = lw + Double(col) * cw, y = hh + Double(r) * ch
                cells += "<rect class=\"\(Charts.coverageClass(w.coverage(c)))\(w.droppedBy == nil ? "" : " x")\" x=\"\(Fmt.px(x))\" y=\"\(Fmt.px(y))\" width=\"\(Fmt.px(cw - 1))\" height=\"\(Fmt.px(ch - 1))\" data-w=\"\(HTML.escape(w.window))\" data-n=\"1\" data-ch=\"\(HTML.escape(name))\"><title>"
                    + HTML.escape(tooltip(partition: p.partition, key: w.window, channel: name, windows: [w], c: c)) + "</title></rect>"
                if let rule = w.droppedBy { marks[rule % 6] += Charts.mark(rule, x: x, y: y, w: cw - 1, h: ch - 1) }
            }
        }
        var s = "<figure>"
        s += "<figcaption>" + HTML.escape("Coverage of each channel in each partition's window, \(partitions.count) partitions") + "</figcaption>"
        s += HTML.open("svg", [("viewBox", "0 0 \(width) \(height)"), ("width", String(width)), ("height", String(height)),
                               ("role", "img"), ("aria-label", "Coverage of each channel per partition in study \(study); the table below lists each partition"),
                               ("data-heatmap", study), ("data-channel", "*")])
        s += columnLabels(names, cw: cw, lw: lw, hh: hh) + rowLabels(ch, lw: lw, hh: hh) + cells
        for (i, d) in marks.enumerated() where !d.isEmpty { s += "<path class=\"d\(i)\" d=\"\(d)\"/>" }
        return s + "</svg></figure>"
    }

    /// A row per partition: windows made, kept, dropped by each rule, mean coverage per channel.
    func table() -> String {
        var h = HTML()
        let names = channels
        let header = ["partition", "split", "windows", "kept"] + rules.map { "dropped: \($0)" } + names.map { "\($0) coverage" }
        let rows: [[Cell]] = partitions.map { p in
            let dropped = p.dropped.reduce(0, +)
            var row: [Cell] = [Cell(p.partition, rowHeader: true), Cell(splitOf[p.entity] ?? "–"),
                                         .int(p.made), .int(p.made - dropped)]
            row += rules.indices.map { i in .int(i < p.dropped.count ? p.dropped[i] : 0) }
            row += names.map { name in
                guard let c = p.channels.firstIndex(of: name), p.detailed else { return Cell("–") }
                let present = p.windows.reduce(0) { $0 + (c < $1.present.count ? $1.present[c] : 0) }
                let slots = p.windows.reduce(0) { $0 + (c < $1.slots.count ? $1.slots[c] : 0) }
                return slots > 0 ? .percent(Double(present) / Double(slots)) : Cell("–")
            }
            return row
        }
        h.raw("<div class=\"scroll\">")
        h.table("Windows per partition in study \(study)", kind: "coverage", sortable: true, header: header, rows: rows,
                numericColumns: Set(2..<header.count))
        h.raw("</div>")
        return h.text
    }
}
