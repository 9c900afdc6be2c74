#!/bin/sh
# Daily MySQL backup, kept for a week.
BACKUP_DIR=/var/backups/orders
mysqldump --single-transaction -u orders -p"$MYSQL_PASSWORD" orders | gzip > "$BACKUP_DIR/orders-$(date +%F).sql.gz"
find "$BACKUP_DIR" -mtime +7 -delete
exit 0
