#!/usr/bin/env bash
# Installs the Debian packages sds builds against, when missing (root or sudo), and Chromium,
# which `make test` renders the reports with (tests/report/run.sh). libcurl4-openssl-dev: a static
# sds (bench/common.sh builds one) links FoundationNetworking, which needs libcurl.
set -euo pipefail
need=()
for p in libgit2-dev libsqlite3-dev zlib1g-dev libhighwayhash-dev libzstd-dev libbrotli-dev git python3 python3-venv util-linux chromium libcurl4-openssl-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
command -v swift >/dev/null || { echo "setup: Swift 6 is needed (https://www.swift.org/install/linux/)" >&2; exit 1; }
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
