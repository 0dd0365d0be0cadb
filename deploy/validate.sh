#!/usr/bin/env bash
# Validates deploy/kubernetes/*.yaml against the Kubernetes API schemas of the npm package kubernetes-models
# (types, required fields, enums; like the API's own OpenAPI schema it does not refuse unknown fields).
# Installs kubernetes-models and yaml into a temporary folder with npm; exits non-zero if a manifest is invalid.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "deploy/validate.sh: npm is missing (Node 20+)" >&2; exit 1; }
tmp="$(mktemp -d /tmp/bnserve-k8s-validate.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund kubernetes-models@5.1.0 yaml@2.9.1 >/dev/null)
node deploy/validate.mjs "$tmp/node_modules" deploy/kubernetes
