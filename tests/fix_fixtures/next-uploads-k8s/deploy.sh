#!/bin/bash
set -euo pipefail
# Deploys to the VPS: pull, build, reload pm2.
ssh deploy@gallery.example.com "cd /srv/gallery && git pull && npm ci && npm run build && pm2 reload ecosystem.config.js"
