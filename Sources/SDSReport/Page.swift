import SDSStore

/// The frame of every report: one HTML file with its style and script inline, a policy that
/// forbids loading anything (no network, no other file), colours for light and dark schemes
/// and for print.
enum Page {
    /// Colours are variables so that charts (classes, no inline colours) follow the scheme;
    /// `h0`…`h10` are the coverage ramp, `d0`…`d5` the marks of filter rules.
    static let css = """
        :root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mu:#59636e;--ln:#d1d9e0;--pn:#f6f8fa;--a:#0969da;--b:#cf222e;--warn:#9a6700;\
        --h0:#e6e9ed;--h1:#fff3b0;--h2:#f3e29a;--h3:#dcdf8e;--h4:#bdd68a;--h5:#98c983;--h6:#70b87d;--h7:#4aa477;--h8:#2d8c70;--h9:#197265;--h10:#0a5753;\
        --d0:#1f2328;--d1:#8250df;--d2:#bc4c00;--d3:#cf222e;--d4:#0550ae;--d5:#bf3989}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mu:#9198a1;--ln:#3d444d;--pn:#151b23;--a:#4493f8;--b:#ff7b72;--warn:#d29922;\
        --h0:#262c36;--h1:#3d3312;--h2:#4b4717;--h3:#4f5a1f;--h4:#456b2b;--h5:#367c3b;--h6:#298d50;--h7:#229e66;--h8:#2caf7d;--h9:#44c194;--h10:#63d4ad;\
        --d0:#f0f6fc;--d1:#ab7df8;--d2:#f0883e;--d3:#ff7b72;--d4:#79c0ff;--d5:#f778ba}}
        @media print{:root{color-scheme:light;--fg:#000;--bg:#fff;--mu:#444;--ln:#bbb;--pn:#fff;--a:#0550ae;--b:#cf222e;\
        --h0:#e6e9ed;--h1:#fff3b0;--h2:#f3e29a;--h3:#dcdf8e;--h4:#bdd68a;--h5:#98c983;--h6:#70b87d;--h7:#4aa477;--h8:#2d8c70;--h9:#197265;--h10:#0a5753;\
        --d0:#000;--d1:#8250df;--d2:#bc4c00;--d3:#cf222e;--d4:#0550ae;--d5:#bf3989}}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1200px;padding:0 20px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        h1{font-size:22px;margin:18px 0 2px}h2{font-size:18px;margin:30px 0 8px;padding-top:10px;border-top:1px solid var(--ln)}h3{font-size:15px;margin:18px 0 6px}
        a{color:var(--a)}nav{margin:8px 0}nav a{margin-right:14px}.sub,.note,figcaption{color:var(--mu)}.note{font-size:13px}.warn{color:var(--warn)}
        table{border-collapse:collapse;margin:4px 0 14px;font-size:13px}caption{text-align:left;font-weight:600;padding:4px 0}
        th,td{padding:3px 12px 3px 0;text-align:left;vertical-align:top;border-bottom:1px solid var(--ln)}th{font-weight:600}
        .n{text-align:right;font-variant-numeric:tabular-nums}td.n,th.n{padding-left:12px}
        table.sortable thead th{cursor:pointer}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
        code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
        figure{margin:6px 0 14px}figcaption{font-size:13px;margin:2px 0 4px}
        .grid{display:flex;flex-wrap:wrap;gap:14px 28px;align-items:flex-start}.scroll{overflow-x:auto}
        .card{border:1px solid var(--ln);border-radius:6px;padding:8px 12px;background:var(--pn);margin:0 0 14px}
        details summary{cursor:pointer;color:var(--mu);font-size:13px}
        svg text{fill:var(--mu);font:10px system-ui,sans-serif}svg .t{fill:var(--fg)}
        .ax{stroke:var(--ln);fill:none}.bar{fill:var(--a)}.bar-b{fill:var(--b);fill-opacity:.5}.line-a{fill:none;stroke:var(--a);stroke-width:1.5}
        .h0{fill:var(--h0)}.h1{fill:var(--h1)}.h2{fill:var(--h2)}.h3{fill:var(--h3)}.h4{fill:var(--h4)}.h5{fill:var(--h5)}\
        .h6{fill:var(--h6)}.h7{fill:var(--h7)}.h8{fill:var(--h8)}.h9{fill:var(--h9)}.h10{fill:var(--h10)}
        .d0,.d1,.d2,.d3,.d4,.d5{fill:none;stroke-width:1.4}.d0{stroke:var(--d0)}.d1{stroke:var(--d1)}.d2{stroke:var(--d2)}\
        .d3{stroke:var(--d3)}.d4{stroke:var(--d4)}.d5{stroke:var(--d5)}
        .x{fill-opacity:.3}.sw-a{fill:var(--a)}.sw-b{fill:var(--b);fill-opacity:.5}
        @media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}h2{break-after:avoid}figure,.card,tr{break-inside:avoid}a{color:inherit;text-decoration:none}.scroll{overflow:visible}}
        """

    /// Sorts a table by the clicked (or Enter-ed) column header, numbers by their `data-v`;
    /// opens folded tables before printing. The page reads the same without it.
    static let script = """
        (function(){function k(c){if(!c)return"";var v=c.getAttribute("data-v");return v===null?c.textContent.trim().toLowerCase():parseFloat(v)}
        document.querySelectorAll("table.sortable thead th").forEach(function(th){th.tabIndex=0;function s(){var t=th.closest("table"),b=t.tBodies[0],i=th.cellIndex,up=th.getAttribute("aria-sort")!=="ascending";
        t.querySelectorAll("thead th").forEach(function(h){h.removeAttribute("aria-sort")});th.setAttribute("aria-sort",up?"ascending":"descending");
        Array.prototype.slice.call(b.rows).map(function(r,n){return[k(r.cells[i]),n,r]}).sort(function(x,y){var p=x[0],q=y[0],d=typeof p=="number"&&typeof q=="number"?p-q:p<q?-1:p>q?1:0;return(up?d:-d)||x[1]-y[1]}).forEach(function(e){b.appendChild(e[2])})}
        th.addEventListener("click",s);th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();s()}})});
        addEventListener("beforeprint",function(){document.querySelectorAll("details").forEach(function(d){d.open=true})})})();
        """

    /// The whole document. `sections` are (id, title) pairs for the navigation.
    static func document(title: String, heading: String, subtitle: String, sections: [(id: String, title: String)], body: String) -> String {
        var h = HTML()
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        h.raw("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n")
        // Nothing may be fetched: not a script, a style, a font or an image (not even a favicon).
        h.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-\(sha256Base64(css))'; "
              + "script-src 'sha256-\(sha256Base64(script))'; img-src data:; base-uri 'none'; form-action 'none'\">\n")
        h.raw("<meta name=\"generator\" content=\"sds report\">\n<link rel=\"icon\" href=\"data:,\">\n")
        h.element("title", title)
        h.raw("\n<style>\(css)</style>\n</head>\n<body>\n<header>\n")
        h.element("h1", heading)
        h.raw("\n")
        h.element("p", [("class", "sub")], subtitle)
        h.raw("\n<nav aria-label=\"Sections\">")
        for s in sections { h.element("a", [("href", "#" + s.id)], s.title) }
        h.raw("</nav>\n</header>\n<main>\n")
        h.raw(body)
        h.raw("</main>\n<script>\(script)</script>\n</body>\n</html>\n")
        return h.text
    }

    static func sha256Base64(_ s: String) -> String { base64(Hasher256.id(of: Array(s.utf8)).bytes) }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = Int(bytes[i]), b1 = n > 1 ? Int(bytes[i + 1]) : 0, b2 = n > 2 ? Int(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(table[v >> 18 & 63])
            out.append(table[v >> 12 & 63])
            out.append(n > 1 ? table[v >> 6 & 63] : UInt8(ascii: "="))
            out.append(n > 2 ? table[v & 63] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
