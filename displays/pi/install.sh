#!/bin/sh
# Install the Quartier display agent and the kiosk on Raspberry Pi OS (Bookworm, 64-bit).
#   sudo sh displays/pi/install.sh https://quartier.example.org [--no-kiosk]
# Run it again to update the agent (git pull first): settings and pairing are kept.
#   --no-kiosk   the agent only (no cage, no Chromium): for a desktop session with browser: true.
# In a chroot (an SD card image being prepared) units are enabled, not started.
set -eu
SERVER="${1:?usage: sudo sh install.sh https://your-quartier-server [--no-kiosk]}"
KIOSK=yes
[ "${2:-}" = "--no-kiosk" ] && KIOSK=no
HERE="$(cd "$(dirname "$0")" && pwd)"
AGENT="$(dirname "$HERE")"   # the displays/ folder: a distribution of its own (pyproject.toml)
[ "$(id -u)" = 0 ] || { echo "install.sh: run it as root (sudo sh $0 …)" >&2; exit 1; }
case "$SERVER" in *'#'*|*'&'*|*' '*) echo "install.sh: odd characters in $SERVER" >&2; exit 1 ;; esac
case "$SERVER" in http://*|https://*) ;; *) echo "install.sh: the server is an http(s):// address" >&2; exit 1 ;; esac

export DEBIAN_FRONTEND=noninteractive
packages="python3-venv ca-certificates"
[ "$KIOSK" = yes ] && packages="$packages cage chromium fonts-dejavu-core v4l-utils sudo"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages

groups=""
for g in video render input tty; do getent group "$g" >/dev/null && groups="$groups${groups:+,}$g"; done
id quartier >/dev/null 2>&1 || useradd --system --create-home --groups "$groups" quartier

# The agent alone, built from a temporary copy: nothing is written into this checkout.
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp -r "$AGENT" "$build/displays"
rm -rf "$build/displays/build" "$build/displays/"*.egg-info
[ -x /opt/quartier-display/bin/python ] || python3 -m venv /opt/quartier-display
/opt/quartier-display/bin/pip install --quiet --disable-pip-version-check --no-cache-dir "$build/displays"
/opt/quartier-display/bin/python -m compileall -q /opt/quartier-display/lib >/dev/null 2>&1 || true

install -d -m 0755 /etc/quartier
if [ ! -f /etc/quartier/display.yaml ]; then
  sed "s#https://quartier.example.org#$SERVER#" "$HERE/display.yaml" > /etc/quartier/display.yaml
  [ "$KIOSK" = yes ] || sed -i '/^browser_restart:/d' /etc/quartier/display.yaml
fi
install -d -o quartier -g quartier -m 0700 /var/lib/quartier-display
install -m 0644 "$HERE/quartier-display.service" /etc/systemd/system/
units="quartier-display.service"
if [ "$KIOSK" = yes ]; then
  install -m 0644 "$HERE/quartier-kiosk.service" /etc/systemd/system/
  install -m 0755 "$HERE/screen-power" /usr/local/sbin/quartier-screen-power
  cat > /etc/sudoers.d/quartier <<'SUDOERS'
# The display agent restarts a silent kiosk and switches the screen on and off (quartier-screen-power).
quartier ALL=(root) NOPASSWD: /usr/bin/systemctl restart quartier-kiosk.service, /usr/local/sbin/quartier-screen-power
SUDOERS
  chmod 0440 /etc/sudoers.d/quartier
  rm -f /etc/sudoers.d/quartier-kiosk  # the name before version 0.2
  units="$units quartier-kiosk.service"
  # The screen is a kiosk: a desktop's display manager would fight it for the screen.
  if systemctl is-enabled display-manager.service >/dev/null 2>&1; then
    systemctl disable display-manager.service
    echo "install.sh: the desktop is turned off (the screen is a kiosk); sudo systemctl enable lightdm brings it back"
  fi
  systemctl set-default graphical.target
fi
[ ! -d /opt/quartier/venv ] || rm -rf /opt/quartier/venv  # the whole server, that versions before 0.2 installed

# shellcheck disable=SC2086
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable $units
  systemctl restart $units
  echo "Done. The screen shows a pairing code; type it at $SERVER/staff/screens."
else
  systemctl enable $units
  echo "Done (no running systemd here: the units start at the next boot)."
fi
du -sh /opt/quartier-display | sed 's/^/install.sh: the agent takes /'
echo "Recommended: a read-only root (sudo raspi-config → Performance → Overlay file system),"
echo "keeping /var/lib/quartier-display writable (see the README)."
