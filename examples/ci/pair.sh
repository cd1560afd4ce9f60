#!/bin/sh
# Pairs a simulated device with your identity provider, then prints an access token on stdout
# (pairing-agent, "Test your device flow in CI"). Copy it into your repository next to the workflow.
#
# Needs pairing-agent on PATH and its configuration (a file in $PAIRING_AGENT_CONFIG, or PAIRING_AGENT_*
# variables) with "hal": "sim". Optional:
#   APPROVE        a command run with the verification URL as its argument: your browser automation,
#                  which signs a test user in and approves the code. Without it, approve some other way
#                  while the script waits.
#   PAIR_TIMEOUT   seconds to wait for the approval (default 300)
#   DEVICE_LOG     where the device's log goes (default: stderr)
set -eu

if [ -n "${DEVICE_LOG:-}" ]; then pairing-agent run 2>"$DEVICE_LOG" & else pairing-agent run & fi
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true' EXIT INT TERM

pairing-agent wait unpaired --daemon --timeout 30 >/dev/null   # the device is up
pairing-agent sim press                                        # a person presses its button
pairing-agent wait awaiting_user --timeout 30 >/dev/null       # it shows a code
# The URL its QR code holds. A code screen whose URL does not fit beside the QR alternates a QR page
# and a text page every 5 s, and `sim qr` exits 1 on the text page: look again.
url=
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do
  url=$(pairing-agent sim qr 2>/dev/null) && break
  sleep 1
done
[ -n "$url" ] || { echo "pair.sh: no QR code on the panel" >&2; exit 1; }
echo "pair.sh: approve at $url" >&2
if [ -n "${APPROVE:-}" ]; then $APPROVE "$url"; fi
pairing-agent wait paired --timeout "${PAIR_TIMEOUT:-300}" >&2 # approved: the device holds tokens
pairing-agent token                                            # an access token for your API
