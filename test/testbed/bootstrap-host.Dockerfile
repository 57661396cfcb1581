# A testbed host WITHOUT Docker, for `cutover server bootstrap` (test/testbed/bootstrap-hosts.ts).
# Built FROM the ordinary host image (test/testbed/host.Dockerfile, so the same Debian rootfs,
# sshd and config) with the Docker packages' binaries deleted, and, per variant:
#   TOOLS=wget  curl deleted, busybox's wget put in its place (the curl → wget fallback);
#   TOOLS=none  curl deleted and no wget (nothing can fetch the install script).
# Two small layers over a cached base: a rebuild after a change takes seconds.
ARG BASE
FROM ${BASE}
ARG TOOLS
COPY busybox /usr/local/lib/testbed-busybox
COPY bootstrap-host-boot.sh /usr/local/sbin/testbed-bootstrap-boot
RUN rm -f /usr/bin/docker /usr/sbin/dockerd /usr/bin/dockerd /usr/bin/containerd /usr/bin/containerd-shim* /usr/bin/ctr /usr/sbin/runc /usr/bin/runc /usr/bin/curl \
 && if [ "$TOOLS" = wget ]; then ln -s /usr/local/lib/testbed-busybox /usr/bin/wget; fi \
 && ! command -v docker && ! command -v curl
CMD ["/bin/sh", "/usr/local/sbin/testbed-bootstrap-boot"]
