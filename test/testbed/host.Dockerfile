ARG BASE
FROM ${BASE}
COPY host-boot.sh /usr/local/sbin/testbed-boot
COPY sshd-testbed.conf /etc/ssh/sshd_config.d/testbed.conf
CMD ["/bin/sh", "/usr/local/sbin/testbed-boot"]
