#!/bin/sh
# Creates the service account of aopfetch-serve.service (the unit is not
# enabled or started: see the README's "Serve a team from a shared box").
set -e
if ! getent passwd aopfetch >/dev/null 2>&1; then
	if command -v systemd-sysusers >/dev/null 2>&1; then
		systemd-sysusers /usr/lib/sysusers.d/aopfetch.conf
	else
		useradd --system --user-group --home-dir /var/lib/aopfetch --no-create-home \
			--shell /usr/sbin/nologin --comment "aopfetch serve" aopfetch
	fi
fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
