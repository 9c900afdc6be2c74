#!/usr/bin/env bash
# Nightly backup of the storefront database (run from cron).
set -euo pipefail

APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
BACKUP_DIR="./backups"
STAMP="$(date +%Y%m%d-%H%M%S)"

cd "$APP_DIR"
mkdir -p "$BACKUP_DIR"

pg_dump --format=custom "$DATABASE_URL" > "$BACKUP_DIR/storefront-$STAMP.dump"

# Keep two weeks of backups.
find "$BACKUP_DIR" -name 'storefront-*.dump' -mtime +14 -delete

echo "backup written to $BACKUP_DIR/storefront-$STAMP.dump"
