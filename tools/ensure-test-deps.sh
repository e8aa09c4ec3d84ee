#!/usr/bin/env bash
# Runs before `npm test`: the tests drive real parts from Debian's packages, never downloaded
# binaries: Chromium for the browser tests, Dovecot as the IMAP server, PostgreSQL's server
# binaries for the fault tests that start, stop and kill a cluster of their own, openssl for
# test certificates.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium_path" ] || missing+=(chromium)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# Makes the self-signed certificates of the outbound TLS tests.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian's packages for the tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${missing[*]} (sudo apt-get install -y ${missing[*]})." >&2
  exit 1
fi
