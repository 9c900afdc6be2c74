#!/usr/bin/env bash
set -euo pipefail
scp docker-compose.yml deploy@203.0.113.7:/srv/stack/
ssh deploy@203.0.113.7 "cd /srv/stack && docker compose pull && docker compose up -d"
