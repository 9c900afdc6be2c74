#!/usr/bin/env bash
# Weekly restore test: restore the newest backup into a scratch database and
# run a smoke query, so a broken backup is found before it is needed.
set -euo pipefail

: "${BACKUP_BUCKET:?BACKUP_BUCKET is required}"
: "${SCRATCH_DATABASE_URL:?SCRATCH_DATABASE_URL is required}"

latest="$(aws s3 ls "s3://${BACKUP_BUCKET}/storefront/" | sort | tail -n 1 | awk '{print $4}')"
aws s3 cp "s3://${BACKUP_BUCKET}/storefront/${latest}" /tmp/latest.dump

pg_restore --clean --if-exists --no-owner --dbname "$SCRATCH_DATABASE_URL" /tmp/latest.dump
psql "$SCRATCH_DATABASE_URL" -v ON_ERROR_STOP=1 -c 'SELECT count(*) FROM "Order"'
rm -f /tmp/latest.dump
