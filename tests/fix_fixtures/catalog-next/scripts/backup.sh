#!/usr/bin/env bash
set -euo pipefail
# Nightly dump of the shop database, copied to S3.
BACKUP_DIR=/var/backups/shop
FILE="$BACKUP_DIR/shop-$(date +%F).dump"
pg_dump --format=custom "$DATABASE_URL" > "$FILE"
aws s3 cp "$FILE" "s3://acme-backups/shop/" --sse AES256
