#!/bin/sh
# Installs what is missing, builds, and starts a switch on the default socket with its
# management console on this terminal (and on the socket /var/run/vde.mgmt as root).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
b=$top/build
if [ "$(id -u)" = 0 ]; then mgmt=/var/run/vde.mgmt; else mgmt=/tmp/vde.mgmt; fi
cat <<TXT

vde_switch is starting on the default socket with management socket $mgmt.
Plug something in from another terminal, e.g.:
  $b/tools/vde_plug = cat          # a plug whose frames loop back
  $b/tools/vdeterm $mgmt           # a management terminal
Type 'help' below for commands, 'shutdown' to stop.

TXT
exec "$b/tools/vde_switch/vde_switch" -M "$mgmt"
