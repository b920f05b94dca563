#!/usr/bin/env bash
# Builds the Debian package of `tournee` with Debian's own dpkg-deb (no
# other tool): target/debian/tournee_VERSION_ARCH.deb, holding
#   /usr/bin/tournee                   the binary (pages and libraries built in)
#   /lib/systemd/system/tournee.service  the service, run as user `tournee`
#   /etc/tournee/tournee.env           its settings (a conffile: kept on upgrade)
#   /var/lib/tournee/                  the database, owned by `tournee`
#   /usr/share/doc/tournee/            README, licence, copyright
# Logs go to the journal. scripts/test-deb.sh installs and tries it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked >&2
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
root=target/debian/tournee_${version}_${arch}
rm -rf "$root"
install -D -m 0755 target/release/tournee "$root/usr/bin/tournee"
install -D -m 0644 packaging/debian/tournee.service "$root/lib/systemd/system/tournee.service"
install -D -m 0640 packaging/debian/tournee.env "$root/etc/tournee/tournee.env"
install -d -m 0750 "$root/var/lib/tournee"
install -D -m 0644 README.md "$root/usr/share/doc/tournee/README.md"
install -D -m 0644 web/vendor/README.md "$root/usr/share/doc/tournee/web-libraries.md"
cat > "$root/usr/share/doc/tournee/copyright" <<COPY
Tournée $version — MIT licence (see the source repository).
Built in: Leaflet 1.9.4 (BSD-2-Clause) and qrcode-generator 1.4.4 (MIT),
their licences in the source tree under web/vendor/.
COPY
mkdir -p "$root/DEBIAN"
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: tournee
Version: $version
Architecture: $arch
Maintainer: Tournée developers <tournee@example.invalid>
Installed-Size: $size
Depends: libc6, adduser
Section: misc
Priority: optional
Homepage: https://example.invalid/tournee
Description: route optimiser for computer-reuse networks
 Plans the week's pickup rounds and commune deliveries of a reuse consortium
 under capacity and time-window constraints, with a planning board, drivers'
 tours on a phone and an emissions report, served over HTTP.
CONTROL
echo "/etc/tournee/tournee.env" > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd tournee >/dev/null; then
    adduser --system --group --home /var/lib/tournee --no-create-home --quiet tournee
  fi
  chown tournee:tournee /var/lib/tournee
  chown root:tournee /etc/tournee/tournee.env
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now tournee.service
  fi
fi
exit 0
POST
cat > "$root/DEBIAN/prerm" <<'PRE'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl disable --now tournee.service || true
fi
exit 0
PRE
cat > "$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf /var/lib/tournee
  if getent passwd tournee >/dev/null; then deluser --system --quiet tournee || true; fi
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
dpkg-deb --root-owner-group --build "$root" >&2
echo "$root.deb"
