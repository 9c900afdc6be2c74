#!/bin/sh
# Nightly dump of the ledger database, kept for a week on the host.
pg_dump "$DATABASE_URL" | gzip > "/var/backups/ledger-$(date +%F).sql.gz"
find /var/backups -name 'ledger-*.sql.gz' -mtime +7 -delete
