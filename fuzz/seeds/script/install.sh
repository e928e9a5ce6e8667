#!/bin/sh
set -e
systemctl stop dten-agent.service
systemctl disable --now old.service
for f in /opt/app/db/*.sql; do psql -v ON_ERROR_STOP=1 -f "$f"; done
curl -fsS http://updates.example.com/check
(crontab -l; echo "*/5 * * * * /opt/app/sync") | crontab -
