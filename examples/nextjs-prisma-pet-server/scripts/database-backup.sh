#!/usr/bin/env bash
# Nightly backup of the storefront database (run from cron).
set -eu

APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
BACKUP_DIR="./backups"
STAMP="$(date +%Y%m%d-%H%M%S)"

cd "$APP_DIR"
mkdir -p "$BACKUP_DIR"

# Consistent online copy of the SQLite database.
sqlite3 prisma/dev.db ".backup '$BACKUP_DIR/storefront-$STAMP.db'"
gzip "$BACKUP_DIR/storefront-$STAMP.db"

# Keep two weeks of backups.
find "$BACKUP_DIR" -name 'storefront-*.db.gz' -mtime +14 -delete

echo "backup written to $BACKUP_DIR/storefront-$STAMP.db.gz"
