import SDSPipeline

/// A small HTML writer: text is escaped unless added with `raw`; the same calls give the same
/// bytes (no clock, no ids but those made from the data).
struct HTML {
    private(set) var text = ""

    init() { text.reserveCapacity(1 << 16) }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    mutating func raw(_ s: String) { text += s }
    mutating func text(_ s: String) { text += Self.escape(s) }

    /// `<name a="v" …>`; attributes in the order given, values escaped, nil values left out.
    static func open(_ name: String, _ attributes: [(String, String?)] = []) -> String {
        var s = "<" + name
        for (k, v) in attributes { if let v { s += " \(k)=\"\(escape(v))\"" } }
        return s + ">"
    }

    mutating func open(_ name: String, _ attributes: [(String, String?)] = []) { text += Self.open(name, attributes) }
    mutating func close(_ name: String) { text += "</\(name)>" }

    /// An element holding escaped text.
    mutating func element(_ name: String, _ content: String) { element(name, [], content) }

    mutating func element(_ name: String, _ attributes: [(String, String?)], _ content: String) {
        open(name, attributes)
        text(content)
        close(name)
    }

    mutating func element(_ name: String, _ attributes: [(String, String?)] = [], body: (inout HTML) -> Void) {
        open(name, attributes)
        body(&self)
        close(name)
    }

    /// A table: a caption, a header row and body rows, each cell a `Cell`. `sortable` adds the
    /// class the page's script sorts by (the page reads the same without it).
    mutating func table(_ caption: String?, id: String? = nil, kind: String? = nil, sortable: Bool = false,
                        header: [String], rows: [[Cell]], numericColumns: Set<Int> = []) {
        open("table", [("id", id), ("class", sortable ? "sortable" : nil), ("data-table", kind)])
        if let caption { element("caption", caption) }
        // A two-column list of names and values has no header row.
        if header.contains(where: { !$0.isEmpty }) {
            open("thead")
            open("tr")
            for (i, h) in header.enumerated() {
                element("th", [("scope", "col"), ("class", numericColumns.contains(i) ? "n" : nil)], h)
            }
            close("tr")
            close("thead")
        }
        open("tbody")
        for r in rows {
            open("tr")
            for (i, c) in r.enumerated() { cell(c, numeric: numericColumns.contains(i), header: i == 0 && c.rowHeader) }
            close("tr")
        }
        close("tbody")
        close("table")
    }

    private mutating func cell(_ c: Cell, numeric: Bool, header: Bool) {
        let name = header ? "th" : "td"
        var attrs: [(String, String?)] = header ? [("scope", "row")] : []
        var classes: [String] = []
        if numeric || c.sortValue != nil { classes.append("n") }
        if let cls = c.cssClass { classes.append(cls) }
        attrs.append(("class", classes.isEmpty ? nil : classes.joined(separator: " ")))
        attrs.append(("data-v", c.sortValue.map(Fmt.sortKey)))
        attrs.append(("title", c.title))
        attrs.append(("colspan", c.colspan.map(String.init)))
        open(name, attrs)
        if let html = c.html { raw(html) } else { text(c.text) }
        close(name)
    }
}

/// A table cell: text (or prepared HTML), the number it sorts by, a tooltip.
struct Cell {
    var text: String
    var html: String? = nil
    var sortValue: Double? = nil
    var title: String? = nil
    var cssClass: String? = nil
    var rowHeader = false
    var colspan: Int? = nil

    init(_ text: String, sort: Double? = nil, title: String? = nil, cssClass: String? = nil, rowHeader: Bool = false) {
        self.text = text
        self.sortValue = sort
        self.title = title
        self.cssClass = cssClass
        self.rowHeader = rowHeader
    }

    static func number(_ v: Double?, digits: Int = 4) -> Cell {
        guard let v else { return Cell("–") }
        return Cell(Fmt.number(v, digits: digits), sort: v)
    }

    static func int(_ n: Int) -> Cell { Cell(Fmt.int(n), sort: Double(n)) }

    static func percent(_ share: Double) -> Cell { Cell(Fmt.percent(share), sort: share) }

    static func html(_ html: String, text: String = "") -> Cell {
        var c = Cell(text)
        c.html = html
        return c
    }

    static func code(_ s: String, title: String? = nil) -> Cell {
        var c = Cell(s, title: title)
        c.html = "<code>" + HTML.escape(s) + "</code>"
        return c
    }
}

/// Numbers as the page shows them: locale-free, the same bytes everywhere.
enum Fmt {
    /// `1,298,700`.
    static func int(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// At most `digits` significant digits; integers in full with separators; very large or
    /// small values as `1.23e-7`.
    static func number(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "-∞") }
        if v == 0 { return "0" }
        if v == v.rounded() && Swift.abs(v) < 1e15 { return int(Int(v)) }
        let a = Swift.abs(v)
        var e = exponent(a)
        // Rounding may carry into the next power of ten (9.9996 → 10.00).
        var scaled = (a / pow10(e - digits + 1)).rounded()
        if scaled >= pow10(digits) { e += 1; scaled = (a / pow10(e - digits + 1)).rounded() }
        let sign = v < 0 ? "-" : ""
        if e < -4 || e >= 15 {
            var m = String(Int(scaled))
            let head = String(m.removeFirst())
            while m.hasSuffix("0") { m.removeLast() }
            return sign + head + (m.isEmpty ? "" : "." + m) + "e\(e)"
        }
        let decimals = Swift.max(0, digits - 1 - e)
        let n = Int(scaled) * Int(pow10(Swift.max(0, e - digits + 1)))
        if decimals == 0 { return sign + int(n) }
        let unit = Int(pow10(decimals))
        var frac = String(n % unit)
        frac = String(repeating: "0", count: decimals - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return sign + int(n / unit) + (frac.isEmpty ? "" : "." + frac)
    }

    /// `12.3%` (one decimal; `<0.1%` for small non-zero shares, `>99.9%` for shares just below 1).
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        if share > 0 && share < 0.0005 { return "<0.1%" }
        if share < 1 && share > 0.9995 { return ">99.9%" }
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// The short form of an id.
    static func short(_ hex: String) -> String { String(hex.prefix(12)) }

    /// The value a sortable cell carries (`data-v`): round-trip exact.
    static func sortKey(_ v: Double) -> String { v.isFinite ? v.description : "0" }

    /// A coordinate in an SVG: one decimal at most.
    static func px(_ v: Double) -> String {
        let t = Int((v * 10).rounded()), a = Swift.abs(t)
        let sign = t < 0 ? "-" : ""
        return a % 10 == 0 ? sign + String(a / 10) : sign + "\(a / 10).\(a % 10)"
    }

    static func exponent(_ a: Double) -> Int {
        var e = 0, x = a
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }

    static func pow10(_ n: Int) -> Double { Double("1e\(n)")! }
}
