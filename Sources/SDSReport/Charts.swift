import SDSPipeline

/// Inline SVG charts, written by hand: a few rectangles, paths and labels each, coloured by
/// CSS classes so they follow the page's light, dark and print colours. Every chart has a
/// text label (`aria-label`) and, on the page, a table with its numbers beside it.
enum Charts {
    /// Ticks for an axis over `[lo, hi]`: multiples of a round step, about `count` of them.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 4) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let w = Histogram.Width.atLeast((hi - lo) / Double(count))
        guard Swift.abs(lo / w.value) < 1e15, Swift.abs(hi / w.value) < 1e15 else { return [lo, hi] }
        var out: [Double] = []
        var i = Int((lo / w.value).rounded(.up))
        // Each tick from its decimal form, so 3·0.1 is 0.3.
        while out.count < 20, let t = Double("\(i * w.mantissa)e\(w.exponent)"), t <= hi {
            out.append(t)
            i += 1
        }
        return out
    }

    /// The share axis' top: the largest share rounded up to a round number; or, when one bin
    /// holds most values and the others are small (minutes without steps), a top that shows
    /// the others, the tall bins cut off and labelled with their share.
    static func shareTop(_ shares: [[Double]]) -> Double {
        let all = shares.flatMap { $0 }
        guard let m = all.max(), m > 0 else { return 1 }
        let rest = all.filter { $0 < m / 3 }.max() ?? 0
        let top = m > 0.3 && rest > 0 && rest < m / 4 ? rest * 1.15 : m
        return min(1, Histogram.Width.atLeast(top).value)
    }

    /// An axis label for a share: `50%`, `2%`, `0.5%`.
    static func axisPercent(_ share: Double) -> String {
        share >= 0.01 ? "\(Int((share * 100).rounded()))%" : Fmt.number(share * 100, digits: 2) + "%"
    }

    /// Histograms of one feature on one x range and share scale: the first series as bars,
    /// or, with two, the first as an outline and the second as bars (before and after).
    /// The series are already aligned (same width and first bin).
    static func histogram(label: String, series: [(name: String, histogram: Histogram)], ymax given: Double? = nil,
                          width: Int = 300, height: Int = 130) -> String {
        guard let h0 = series.first?.histogram, !h0.counts.isEmpty else { return "" }
        let left = 40.0, right = 8.0, top = 10.0, bottom = 20.0
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        let n = h0.counts.count
        let lo = h0.edge(0), hi = h0.edge(n)
        let shares = series.map { s in s.histogram.counts.map { Double($0) / Double(max(1, s.histogram.total)) } }
        let ymax = given ?? shareTop(shares)
        var s = HTML.open("svg", [("viewBox", "0 0 \(width) \(height)"), ("width", String(width)), ("height", String(height)),
                                  ("role", "img"), ("aria-label", label)])
        s += axes(left: left, top: top, pw: pw, ph: ph, lo: lo, hi: hi, ymax: ymax)
        let bw = pw / Double(n)
        for (k, sh) in shares.enumerated() {
            if series.count > 1 && k == 0 {
                // The first series as an outline, so the second shows through.
                s += "<path class=\"line-a\" d=\"" + stepPath(sh, left: left, top: top, bw: bw, ph: ph, ymax: ymax) + "\"/>"
                continue
            }
            let cls = series.count > 1 ? "bar-b" : "bar"
            for (i, share) in sh.enumerated() where series[k].histogram.counts[i] > 0 {
                let bh = max(1, min(1, share / ymax) * ph)
                let x = left + Double(i) * bw
                s += "<rect class=\"\(cls)\" x=\"\(Fmt.px(x))\" y=\"\(Fmt.px(top + ph - bh))\" width=\"\(Fmt.px(max(0.6, bw - (bw > 4 ? 1 : 0))))\" height=\"\(Fmt.px(bh))\">"
                s += "<title>" + HTML.escape("\(series[k].name) [\(Fmt.number(h0.edge(i))), \(Fmt.number(h0.edge(i + 1)))): \(Fmt.int(series[k].histogram.counts[i])) (\(Fmt.percent(share)))") + "</title></rect>"
                if share > ymax * 1.001 {
                    s += "<text class=\"t\" x=\"\(Fmt.px(x + bw / 2 + 3))\" y=\"\(Fmt.px(top + 8))\">\(Fmt.percent(share)) ↑</text>"
                }
            }
        }
        return s + "</svg>"
    }

    /// The outline of a histogram of shares, as one path.
    static func stepPath(_ shares: [Double], left: Double, top: Double, bw: Double, ph: Double, ymax: Double) -> String {
        var d = "M\(Fmt.px(left)) \(Fmt.px(top + ph))"
        for (i, share) in shares.enumerated() {
            let y = top + ph - (share > 0 ? max(1, min(1, share / ymax) * ph) : 0)
            d += "V\(Fmt.px(y))H\(Fmt.px(left + Double(i + 1) * bw))"
        }
        return d + "V\(Fmt.px(top + ph))"
    }

    /// The frame of a histogram: baseline, left axis with the share at the top, x ticks.
    static func axes(left: Double, top: Double, pw: Double, ph: Double, lo: Double, hi: Double, ymax: Double) -> String {
        var s = "<path class=\"ax\" d=\"M\(Fmt.px(left)) \(Fmt.px(top))V\(Fmt.px(top + ph))H\(Fmt.px(left + pw))\"/>"
        s += "<text x=\"\(Fmt.px(left - 3))\" y=\"\(Fmt.px(top + 7))\" text-anchor=\"end\">\(axisPercent(ymax))</text>"
        s += "<text x=\"\(Fmt.px(left - 3))\" y=\"\(Fmt.px(top + ph))\" text-anchor=\"end\">0</text>"
        for t in ticks(lo, hi) {
            let x = left + (t - lo) / (hi - lo) * pw
            s += "<path class=\"ax\" d=\"M\(Fmt.px(x)) \(Fmt.px(top + ph))v3\"/>"
            // A label near the right end ends there, so it is not cut off.
            let anchor = x > left + pw - 14 ? "end" : "middle"
            s += "<text x=\"\(Fmt.px(anchor == "end" ? left + pw + 6 : x))\" y=\"\(Fmt.px(top + ph + 13))\" text-anchor=\"\(anchor)\">\(HTML.escape(Fmt.number(t, digits: 3)))</text>"
        }
        return s
    }

    /// Horizontal bars with a label and a value each (`value` ≥ 0), scaled to the largest.
    static func bars(label: String, rows: [(name: String, value: Double, text: String, cls: String)], width: Int = 520) -> String {
        guard !rows.isEmpty else { return "" }
        let rowH = 18.0, valueW = 170.0
        let labelW = min(210, 14 + 6 * Double(rows.map { min(34, $0.name.count) }.max() ?? 0))
        let height = Int(Double(rows.count) * rowH + 4)
        let pw = max(60, Double(width) - labelW - valueW)
        let vmax = max(rows.map(\.value).max() ?? 0, 1e-300)
        var s = HTML.open("svg", [("viewBox", "0 0 \(width) \(height)"), ("width", String(width)), ("height", String(height)),
                                  ("role", "img"), ("aria-label", label)])
        for (i, r) in rows.enumerated() {
            let y = Double(i) * rowH + 2
            s += "<text class=\"t\" x=\"\(Fmt.px(labelW - 6))\" y=\"\(Fmt.px(y + 12))\" text-anchor=\"end\">\(HTML.escape(clip(r.name, 34)))</text>"
            let w = r.value > 0 ? max(1, r.value / vmax * pw) : 0
            s += "<rect class=\"\(r.cls)\" x=\"\(Fmt.px(labelW))\" y=\"\(Fmt.px(y + 2))\" width=\"\(Fmt.px(w))\" height=\"\(Fmt.px(rowH - 5))\"/>"
            s += "<text x=\"\(Fmt.px(labelW + w + 4))\" y=\"\(Fmt.px(y + 12))\">\(HTML.escape(r.text))</text>"
        }
        return s + "</svg>"
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    /// The coverage class of a share: `h0` none, `h10` all, `h1`…`h9` by tenths between.
    static func coverageClass(_ c: Double) -> String {
        if c <= 0 { return "h0" }
        if c >= 1 { return "h10" }
        return "h\(min(9, max(1, Int(c * 10))))"
    }

    static let coverageLegend: [(cls: String, text: String)] = [("h0", "0"), ("h1", "<20%")]
        + (2...9).map { ("h\($0)", "\($0 * 10)–\($0 == 9 ? "<100" : String($0 * 10 + 10))%") } + [("h10", "100%")]

    /// The mark of filter rule `i` inside a cell at (x, y) of size w × h: a diagonal, the
    /// other diagonal, a horizontal, a vertical line, a cross or a box, so rules differ by
    /// shape as well as colour.
    static func mark(_ i: Int, x: Double, y: Double, w: Double, h: Double) -> String {
        let (x0, y0, x1, y1) = (Fmt.px(x + 1), Fmt.px(y + 1), Fmt.px(x + w - 1), Fmt.px(y + h - 1))
        let (xm, ym) = (Fmt.px(x + w / 2), Fmt.px(y + h / 2))
        switch i % 6 {
        case 0: return "M\(x0) \(y0)L\(x1) \(y1)"
        case 1: return "M\(x0) \(y1)L\(x1) \(y0)"
        case 2: return "M\(x0) \(ym)H\(x1)"
        case 3: return "M\(xm) \(y0)V\(y1)"
        case 4: return "M\(x0) \(y0)L\(x1) \(y1)M\(x0) \(y1)L\(x1) \(y0)"
        default: return "M\(x0) \(y0)H\(x1)V\(y1)H\(x0)Z"
        }
    }

    /// The legend of the coverage ramp and of the filter rules' marks.
    static func heatmapLegend(rules: [(name: String, dropped: Int)]) -> String {
        let cell = 12.0
        var s = ""
        var x = 0.0
        var parts = ""
        for (cls, text) in coverageLegend {
            parts += "<rect class=\"\(cls)\" x=\"\(Fmt.px(x))\" y=\"2\" width=\"\(Fmt.px(cell))\" height=\"\(Fmt.px(cell))\"/>"
            parts += "<text x=\"\(Fmt.px(x + cell + 3))\" y=\"12\">\(HTML.escape(text))</text>"
            x += cell + 10 + Double(text.count) * 6.2
        }
        var y = 2.0 + cell + 8
        for (i, r) in rules.enumerated() {
            parts += "<rect class=\"h10 x\" x=\"0\" y=\"\(Fmt.px(y))\" width=\"\(Fmt.px(cell))\" height=\"\(Fmt.px(cell))\"/>"
            parts += "<path class=\"d\(i % 6)\" d=\"\(mark(i, x: 0, y: y, w: cell, h: cell))\"/>"
            parts += "<text x=\"\(Fmt.px(cell + 5))\" y=\"\(Fmt.px(y + 10))\">" + HTML.escape("dropped by \(r.name): \(Fmt.int(r.dropped))") + "</text>"
            y += cell + 6
        }
        let width = Int(max(x, 360))
        s += HTML.open("svg", [("viewBox", "0 0 \(width) \(Int(y))"), ("width", String(width)), ("height", String(Int(y))),
                               ("role", "img"), ("aria-label", "Legend: coverage colours and the marks of the filters")])
        return s + parts + "</svg>"
    }
}
