#!/bin/sh
set -e
# Writes the app's .env at start, then applies migrations and serves.
[ -f .env ] || echo 'DATABASE_URL="file:./prod.db"' > .env
npx prisma migrate deploy
exec npx next start
