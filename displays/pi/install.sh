#!/bin/sh
# Install the Quartier display agent and the kiosk on Raspberry Pi OS Lite (Bookworm, 64-bit).
#   curl -fsSLO https://…/install.sh && sudo sh install.sh https://quartier.example.org [SOURCE]
# SOURCE: a pip requirement for Quartier (default: this checkout, two folders up).
set -eu
SERVER="${1:?usage: install.sh https://your-quartier-server [pip source]}"
SOURCE="${2:-$(cd "$(dirname "$0")/../.." && pwd)}"
[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 1; }

apt-get update
apt-get install -y --no-install-recommends python3-venv cage chromium curl v4l-utils wlr-randr fonts-dejavu-core

id quartier >/dev/null 2>&1 || useradd --system --create-home --groups video,render,input,tty quartier
python3 -m venv /opt/quartier/venv
/opt/quartier/venv/bin/pip install --quiet --upgrade pip
/opt/quartier/venv/bin/pip install --quiet "$SOURCE"

install -d -m 0755 /etc/quartier
if [ ! -f /etc/quartier/display.yaml ]; then
  sed "s#https://quartier.example.org#$SERVER#" "$(dirname "$0")/display.yaml" > /etc/quartier/display.yaml
fi
install -d -o quartier -g quartier -m 0700 /var/lib/quartier-display
install -m 0644 "$(dirname "$0")/quartier-display.service" "$(dirname "$0")/quartier-kiosk.service" /etc/systemd/system/
echo 'quartier ALL=(root) NOPASSWD: /usr/bin/systemctl restart quartier-kiosk.service' > /etc/sudoers.d/quartier-kiosk
chmod 0440 /etc/sudoers.d/quartier-kiosk
systemctl daemon-reload
systemctl set-default graphical.target
systemctl enable --now quartier-display.service
systemctl enable --now quartier-kiosk.service
echo "Done. The screen shows a pairing code; type it at $SERVER/staff/screens."
echo "Recommended: a read-only root (sudo raspi-config → Performance → Overlay file system),"
echo "keeping /var/lib/quartier-display writable (see the README)."
