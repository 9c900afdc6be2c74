#!/usr/bin/env bash
# Provision a fresh Ubuntu 22.04 VPS for the storefront.
# Run as root: ssh root@shop.acme.example 'bash -s' < scripts/bootstrap-ubuntu22.sh
set -euo pipefail

APP_USER=acme
APP_DIR=/var/www/acme-storefront
DOMAIN=shop.acme.example

apt-get update
apt-get install -y curl git nginx certbot python3-certbot-nginx ufw redis-server

# Node.js 20 from NodeSource
curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
apt-get install -y nodejs
npm install -g pm2

id -u "$APP_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$APP_USER"
mkdir -p "$APP_DIR"
chown -R "$APP_USER":"$APP_USER" "$APP_DIR"

sudo -u "$APP_USER" git clone https://github.com/acme/storefront.git "$APP_DIR" || true
cd "$APP_DIR"
sudo -u "$APP_USER" git pull
sudo -u "$APP_USER" npm ci
sudo -u "$APP_USER" npm run build

cat > /etc/nginx/sites-available/acme <<EOF
server {
  listen 80;
  server_name ${DOMAIN};
  location / {
    proxy_pass http://127.0.0.1:3000;
    proxy_set_header Host \$host;
  }
}
EOF
ln -sf /etc/nginx/sites-available/acme /etc/nginx/sites-enabled/acme
nginx -t
systemctl reload nginx
certbot --nginx -d "$DOMAIN" --non-interactive --agree-tos -m ops@acme.example

ufw allow OpenSSH
ufw allow 'Nginx Full'
ufw --force enable

systemctl enable --now redis-server
sudo -u "$APP_USER" pm2 start npm --name storefront -- start
pm2 startup systemd -u "$APP_USER" --hp "/home/$APP_USER"
sudo -u "$APP_USER" pm2 save

# Nightly database backup at 03:00
(crontab -l 2>/dev/null; echo "0 3 * * * $APP_DIR/scripts/database-backup.sh") | crontab -
