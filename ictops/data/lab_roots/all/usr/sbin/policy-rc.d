#!/bin/sh
# ictops lab: package scripts (invoke-rc.d) may start only the lab's own services. The lab
# starts sshd itself on the server's address, and the machine's daemons (chrony, rsyslog,
# cron) never run inside a lab server.
case "$1" in
ictops-lab-*) exit 0 ;;
esac
exit 101
