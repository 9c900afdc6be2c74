#!/usr/bin/env bash
# Nightly backup: stream a custom-format dump straight to object storage.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is required}"
: "${BACKUP_BUCKET:?BACKUP_BUCKET is required}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"

pg_dump --format=custom "$DATABASE_URL" \
  | aws s3 cp - "s3://${BACKUP_BUCKET}/storefront/${STAMP}.dump" --sse AES256
