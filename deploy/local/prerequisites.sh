#!/usr/bin/env bash
# Install what the local stack needs when it is missing: Python 3.11 (with venv), Java 17,
# Maven (fetches the Kafka jars), Go (builds FerretDB), PostgreSQL 15 (FerretDB's store), and
# Chromium with a Chinese font (browser tests). Uses apt-get when run as root on
# Debian; otherwise says what to install. Everything already present is left alone.
set -euo pipefail

missing=()
command -v python3.11 >/dev/null || missing+=(python3.11 python3.11-venv)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v go >/dev/null || missing+=(golang)
command -v make >/dev/null || missing+=(make)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)  # the worker page's browser test
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)  # its Chinese text
command -v prometheus >/dev/null || missing+=(prometheus)  # the metrics tests run a real one

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "missing prerequisites: ${missing[*]} — install them (Debian: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
