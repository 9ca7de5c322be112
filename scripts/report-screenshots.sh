#!/usr/bin/env bash
# Regenerates the README's two report images (docs/img/): the coverage section of the Fitbit
# example's report and the shift section of its v1 → v2 diff, as tests/report/run.sh writes
# them. Each is a screenshot of a copy of the page that shows the page's header and that one
# section (the copy drops the page's content security policy to add that style).
#
# Usage: scripts/report-screenshots.sh [PATH/TO/sds]   (default .build/debug/sds)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sds=${1:-$here/.build/debug/sds}
art=${SDS_REPORT_ARTIFACTS:-$here/tests/report/artifacts}
"$here/tests/report/run.sh" "$sds" >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sds-shots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

shot() { # PAGE SECTION WIDTH HEIGHT OUT
    python3 - "$art/$1.html" "$2" > "$tmp/$2.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page)
style = "nav{display:none}section{display:none}#%s{display:block}" % sys.argv[2]
sys.stdout.write(page.replace("</head>", "<style>%s</style></head>" % style, 1))
PY
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$tmp/profile" \
        --window-size="$3,$4" --screenshot="$here/$5" "file://$tmp/$2.html" 2>/dev/null
    echo "$5: $(( $(stat -c %s "$here/$5") / 1024 )) KiB"
}
shot fitbit coverage 1280 760 docs/img/report-coverage.png
shot fitbit-diff shift 1280 900 docs/img/report-shift.png
