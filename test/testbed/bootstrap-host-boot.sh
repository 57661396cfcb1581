#!/bin/sh
# The main process of a bootstrap variant host: sshd only (there is no Docker engine to start).
set -eu
rm -f /etc/ssh/ssh_host_*
ssh-keygen -A >/dev/null
install -d -m 700 /root/.ssh
printf '%s\n' "$TESTBED_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
