#!/usr/bin/env bash
# Load test: 60 s of single-row digits predictions at 16 connections against a loopback server, after a 5 s warm-up;
# prints throughput, p50/p99 latency and the error count (connect/read/write/timeout errors and non-2xx answers).
# Usage: bench/load.sh [seconds, default 60] [connections, default 16]. Needs wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60} CONNS=${2:-16} NOOP=false FASTAPI=false exec bench/http.sh
