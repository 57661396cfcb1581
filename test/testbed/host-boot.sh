#!/bin/sh
# The main process of a testbed host (under docker's --init): its own sshd, its own dockerd.
set -eu

# Host keys are made on the first boot of each container, never baked into the image, so that
# every host has keys of its own (the image's package install generated a shared set).
if [ ! -e /etc/ssh/.testbed-host-keys ]; then
  rm -f /etc/ssh/ssh_host_*
  ssh-keygen -A >/dev/null
  touch /etc/ssh/.testbed-host-keys
fi

install -d -m 700 /root/.ssh
printf '%s\n' "$TESTBED_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys

# Trust the registry's CA the way Docker intends (certs.d), not as an insecure registry.
install -d "/etc/docker/certs.d/$TESTBED_REGISTRY"
printf '%s\n' "$TESTBED_REGISTRY_CA" > "/etc/docker/certs.d/$TESTBED_REGISTRY/ca.crt"

mkdir -p /run/sshd
/usr/sbin/sshd -e

# Cgroups are the machine's (cgroup v1, mounted in): a parent of our own keeps this engine's
# containers apart from the machine's and the other hosts'.
dockerd --cgroup-parent "/cutover-testbed-$(hostname)" >/var/log/dockerd.log 2>&1 &
wait
