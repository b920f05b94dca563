#!/usr/bin/env bash
# Builds the Debian package, installs it on this machine, starts the service
# as its unit says (user, settings file, command) and checks that it answers
# /healthz, the board and its libraries, with its database under
# /var/lib/tournee owned by the service's user; then purges the package.
# Without systemd running (a container), the unit's command is run as its
# user by hand, as systemd would. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else echo "test-deb: skipped (needs root or sudo)" >&2; exit 0; fi
fi
# The package needs adduser; the test, curl and runuser (util-linux).
if ! command -v adduser >/dev/null || ! command -v curl >/dev/null || ! command -v runuser >/dev/null; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq adduser curl util-linux >&2
fi
deb=$(scripts/package-deb.sh)
dpkg-deb --info "$deb" >/dev/null
$SUDO dpkg -i "$deb" >&2
trap '$SUDO pkill -u tournee >/dev/null 2>&1 || true; sleep 0.5; $SUDO dpkg --purge tournee >/dev/null 2>&1 || true' EXIT
unit=/lib/systemd/system/tournee.service
for f in /usr/bin/tournee "$unit" /etc/tournee/tournee.env; do
  [ -e "$f" ] || { echo "test-deb: $f not installed" >&2; exit 1; }
done
getent passwd tournee >/dev/null || { echo "test-deb: no tournee user" >&2; exit 1; }
user=$(sed -n 's/^User=//p' "$unit")
command=$(sed -n 's/^ExecStart=//p' "$unit")
[ "$user" = tournee ] && [ "$command" = "/usr/bin/tournee serve" ] || { echo "test-deb: unexpected unit" >&2; exit 1; }
log=$(mktemp)
if [ -d /run/systemd/system ]; then
  $SUDO systemctl restart tournee
  base=http://$(sed -n 's/^TOURNEE_ADDR=//p' /etc/tournee/tournee.env)
else
  # As systemd would: the unit's user, its settings file, its folder; a
  # free port instead of the configured one.
  set -a; . /etc/tournee/tournee.env; set +a
  (cd /var/lib/tournee && exec $SUDO env $(grep -v '^#' /etc/tournee/tournee.env | grep '=' | xargs) TOURNEE_ADDR=127.0.0.1:0 \
     runuser -u "$user" -- $command > "$log" 2>&1) &
  for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$log" | head -1)
fi
[ -n "$base" ] || { echo "test-deb: the service did not start:" >&2; cat "$log" >&2; exit 1; }
page=$(mktemp)
curl -fsS "$base/healthz" -o "$page" && grep -q '"ok"' "$page"
curl -fsS "$base/" -o "$page" && grep -q '<html lang="fr">' "$page"
curl -fsS "$base/vendor/leaflet/leaflet.js" -o "$page"
owner=$(stat -c %U /var/lib/tournee/tournee.db)
[ "$owner" = tournee ] || { echo "test-deb: the database belongs to $owner" >&2; exit 1; }
echo "test-deb: $(basename "$deb") installed; the service answers /healthz, the board and its libraries at $base; database /var/lib/tournee/tournee.db ($owner)"
