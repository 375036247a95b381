#!/bin/sh
# One nightly backup and the rotation (run by quartier-backup.service): `quartier backup` writes
# $BACKUP_DIR/quartier-YYYYmmdd-HHMMSS.db (a consistent, integrity-checked copy, mode 0600, taken
# while the server runs), then only the newest $KEEP of those files are kept. Nothing else in
# the folder is touched. A failed backup exits non-zero and removes nothing.
set -eu
QUARTIER=${QUARTIER:-quartier}
CONFIG=${CONFIG:-/etc/quartier/quartier.yaml}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/quartier}
KEEP=${KEEP:-14}
STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}

case $KEEP in '' | *[!0-9]* | 0) echo "quartier-backup: KEEP must be a number above 0" >&2; exit 2 ;; esac
mkdir -p "$BACKUP_DIR"
"$QUARTIER" backup --config "$CONFIG" "$BACKUP_DIR/quartier-$STAMP.db"
# The names sort by date; the newest $KEEP stay.
ls -1 "$BACKUP_DIR" | grep -E '^quartier-[0-9]{8}-[0-9]{6}\.db$' | sort -r | tail -n +"$((KEEP + 1))" |
    while read -r old; do rm -f -- "$BACKUP_DIR/$old"; done
