#!/bin/sh
# Regenerates systemd-calendar.txt: the ground truth the OnCalendar tests compare against.
# Needs systemd-analyze (Debian package `systemd`). Run from this folder: sh record-systemd-calendar.sh
set -eu
BASE='2026-11-27 00:00:00 UTC'
{
  echo "# systemd-analyze calendar --iterations=5 --base-time='$BASE' EXPR   (TZ=UTC)"
  echo "# $(TZ=UTC systemd-analyze --version | head -1)"
  while IFS= read -r expr; do
    case "$expr" in ''|'#'*) continue;; esac
    echo "=== $expr"
    TZ=UTC systemd-analyze calendar --iterations=5 --base-time="$BASE" "$expr" 2>&1 | grep -v -e '^$' -e 'From now:' || true
  done < systemd-calendar-expressions.txt
} > systemd-calendar.txt
