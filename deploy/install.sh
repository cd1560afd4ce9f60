#!/usr/bin/env bash
# Installs pairing-agent as a hardened systemd service on Raspberry Pi OS (issue #8).
# Run from a built checkout: npm ci && npm run build && sudo deploy/install.sh
# Idempotent: a second run changes nothing. One output line per action. See --help.
set -euo pipefail
umask 022

readonly NAME=pairing-agent
readonly MIN_NODE_MAJOR=20 MIN_NODE_MINOR=19
readonly EXAMPLE_CLIENT_ID=your-device-client-id
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SRC

usage() {
  cat <<EOF
Usage: deploy/install.sh [options]
       deploy/install.sh --uninstall [--wipe-tokens | --purge] [options]

Installs the built app (run "npm ci && npm run build" first) as the systemd service $NAME:
  - system user $NAME in groups gpio and i2c (useradd --system)
  - the app in PREFIX: dist/ (but not dist/dev or dist/testing, which the device does not
    run), package.json, package-lock.json, and its production dependencies
    (npm ci --omit=dev, which builds i2c-bus and onoff on the Pi); V8's code cache of the
    command in dist/v8-cache, made with the node the service runs
  - the command PREFIX/bin/$NAME, linked from BINDIR/$NAME
  - /etc/$NAME/config.json (0640, root:$NAME) from deploy/config.example.json, only if absent:
    an existing configuration is never overwritten
  - UNITDIR/$NAME.service, then systemctl enable and start (start only once the config is edited)
Tokens live in /var/lib/$NAME (StateDirectory=, created by systemd at the first start).

Options:
  --prefix DIR      where the app goes (default /opt/$NAME)
  --bindir DIR      where the $NAME command is linked (default /usr/local/bin)
  --unitdir DIR     where the unit goes (default /etc/systemd/system)
  --node PATH       the node binary the service runs (default: node on PATH); Node >= 20.19
  --destdir DIR     install into DIR instead of / (same as the DESTDIR environment variable).
                    Then no system user is created, no ownership is set and systemctl is not
                    run: each is printed instead
  --create-user     with DESTDIR: create the user and groups inside DESTDIR (useradd --root)
  --sysfs-gpio      also install the drop-in that lets the service write /sys/class/gpio (legacy
                    sysfs GPIO, onoff); the unit alone allows only the GPIO character device.
                    Default: on /, when /sys/class/gpio/export exists (the agent then uses sysfs);
                    under DESTDIR, only with this flag. An installed drop-in is kept
  --no-sysfs-gpio   do not install that drop-in, and remove it if installed
  --no-npm          do not run npm ci (install node_modules yourself; tests use this)
  --no-enable       do not run systemctl
  --dry-run         print what would be done, change nothing
  --uninstall       stop and disable the service, remove the unit, the app and the command;
                    keeps the configuration and the tokens
  --wipe-tokens     with --uninstall: also delete /var/lib/$NAME (tokens and pairing state)
  --purge           with --uninstall: also delete the tokens, /etc/$NAME and the user
  -h, --help        show this help

The tokens are deleted, not revoked: run "$NAME logout" first to revoke them at the identity
provider.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}

PREFIX=/opt/$NAME
BINDIR=/usr/local/bin
UNITDIR=/etc/systemd/system
NODE=
DEST=${DESTDIR:-}
CREATE_USER=0 SYSFS_GPIO=auto NO_NPM=0 NO_ENABLE=0 DRY=0 UNINSTALL=0 WIPE=0 PURGE=0

while (($#)); do
  case $1 in
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;; # --opt=value is --opt value
  esac
  case $1 in
    --prefix | --bindir | --unitdir | --node | --destdir)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case $1 in
        --prefix) PREFIX=$2 ;;
        --bindir) BINDIR=$2 ;;
        --unitdir) UNITDIR=$2 ;;
        --node) NODE=$2 ;;
        --destdir) DEST=$2 ;;
      esac
      shift
      ;;
    --create-user) CREATE_USER=1 ;;
    --sysfs-gpio) SYSFS_GPIO=yes ;;
    --no-sysfs-gpio) SYSFS_GPIO=no ;;
    --no-npm) NO_NPM=1 ;;
    --no-enable) NO_ENABLE=1 ;;
    --dry-run) DRY=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --wipe-tokens) WIPE=1 ;;
    --purge) PURGE=1 WIPE=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

# --- paths -------------------------------------------------------------------------------------

# Plain absolute paths only: they go into the unit's ExecStart= and a shell wrapper unquoted-safe.
check_path() {
  [[ $2 == /* ]] || die "$1 must be an absolute path, got \"$2\""
  [[ $2 =~ ^[A-Za-z0-9._/+@-]+$ ]] || die "$1 may contain only letters, digits and ._/+@- (got \"$2\")"
}
check_path --prefix "$PREFIX"
check_path --bindir "$BINDIR"
check_path --unitdir "$UNITDIR"
PREFIX=${PREFIX%/} BINDIR=${BINDIR%/} UNITDIR=${UNITDIR%/}
[[ -n $PREFIX && $PREFIX != /usr && $PREFIX != /usr/local && $PREFIX != /etc ]] ||
  die "--prefix must be a directory of its own, such as /opt/$NAME (got \"${PREFIX:-/}\")"
if ((WIPE || PURGE)) && ((!UNINSTALL)); then die "--wipe-tokens and --purge go with --uninstall"; fi

if [[ -n $DEST ]]; then
  [[ $DEST == /* ]] || DEST=$PWD/$DEST
  DEST=$(realpath -m "$DEST")
  [[ $DEST == / ]] && DEST=
fi
ROOT=$DEST # "" for the real system
readonly ROOT
if [[ -z $ROOT && $DRY == 0 && $(id -u) != 0 ]]; then
  die "installing into / needs root: sudo $0 (or --destdir DIR, or --dry-run)"
fi
if [[ -n $ROOT ]] && ((CREATE_USER)) && [[ ! -f $ROOT/etc/passwd || ! -f $ROOT/etc/group ]]; then
  die "--create-user needs $ROOT/etc/passwd and $ROOT/etc/group (an OS image tree)"
fi

APP=$ROOT$PREFIX
CONFDIR=$ROOT/etc/$NAME
CONFIG=$CONFDIR/config.json
UNIT=$ROOT$UNITDIR/$NAME.service
DROPIN_DIR=$UNIT.d
DROPIN=$DROPIN_DIR/sysfs-gpio.conf
LINK=$ROOT$BINDIR/$NAME
WRAPPER=$PREFIX/bin/$NAME # as seen on the target system
STATE=$ROOT/var/lib/$NAME

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Systemd manages services here only on the real root, with systemd as init, unless told not to.
manage_systemd() { [[ -z $ROOT && $NO_ENABLE == 0 && -d /run/systemd/system ]]; }
# Users are created on the real root, or inside DESTDIR with --create-user.
manage_users() { [[ -z $ROOT || $CREATE_USER == 1 ]]; }

# --- reporting and doing ------------------------------------------------------------------------

# One line per action; under --dry-run "would <verb>" and nothing is done.
did() { # past-tense verb, present verb, rest of the line
  if ((DRY)); then say "would $2 ${*:3}"; else say "$1 ${*:3}"; fi
}
run() { ((DRY)) || "$@"; }

CHANGED=0 # anything the running service would notice (app, unit, drop-in)

# install_file SRC DEST MODE: copies when the content or the mode differs.
install_file() {
  local src=$1 dest=$2 mode=$3
  if [[ -f $dest && ! -L $dest ]] && cmp -s "$src" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
    say "unchanged $dest"
    return 0
  fi
  CHANGED=1
  if [[ -e $dest ]]; then did updated update "$dest (mode $mode)"; else did created create "$dest (mode $mode)"; fi
  run install -D -m "$mode" "$src" "$dest"
}

# sync_tree SRC DEST [ENTRY...]: replaces DEST by a copy of SRC (files 0644, directories 0755) unless
# equal, leaving out the ENTRYs at SRC's top level.
sync_tree() {
  local src=$1 dest=$2 entry
  shift 2
  # The entries left out are top-level names of src (diff -x matches a name at any depth: none of
  # them is used deeper in dist/).
  local -a excluded=() prune=()
  for entry in "$@"; do
    excluded+=(-x "$entry")
    prune+=(-path "$src/$entry" -prune -o)
  done
  if [[ -d $dest ]] && [[ -z $(diff -rq "${excluded[@]}" "$src" "$dest" 2>&1) ]]; then
    say "unchanged $dest/"
    return 0
  fi
  CHANGED=1
  local count
  count=$(find "$src" "${prune[@]}" -type f -print | wc -l)
  if [[ -d $dest ]]; then did updated update "$dest/ ($count files)"; else did created create "$dest/ ($count files)"; fi
  ((DRY)) && return 0
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.new" "$dest.old"
  cp -R "$src" "$dest.new"
  for entry in "$@"; do rm -rf "${dest:?}.new/$entry"; done
  # Files 0644 even where the build marked one executable (dist/pairing-agent.cjs, issue #15): the
  # installed command is the wrapper that runs node, and X in a symbolic mode would keep that bit.
  find "$dest.new" -type d -exec chmod 0755 {} +
  find "$dest.new" -type f -exec chmod 0644 {} +
  if [[ -d $dest ]]; then mv "$dest" "$dest.old"; fi
  mv "$dest.new" "$dest"
  rm -rf "$dest.old"
}

make_dir() { # DIR MODE
  if [[ -d $1 ]]; then return 0; fi
  did created create "$1/ (mode $2)"
  run install -d -m "$2" "$1"
}

# The numeric id of a group, on the real system or inside DESTDIR; empty when there is none.
group_id() {
  if [[ -z $ROOT ]]; then
    { getent group "$1" || true; } | cut -d: -f3
  else
    awk -F: -v g="$1" '$1 == g { print $3 }' "$ROOT/etc/group" 2>/dev/null || true
  fi
}
user_exists() {
  if [[ -z $ROOT ]]; then getent passwd "$1" >/dev/null; else grep -q "^$1:" "$ROOT/etc/passwd" 2>/dev/null; fi
}
user_in_group() { # USER GROUP
  if [[ -z $ROOT ]]; then
    id -nG "$1" 2>/dev/null | tr ' ' '\n' | grep -qx "$2"
  else
    awk -F: -v g="$2" '$1 == g { print $4 }' "$ROOT/etc/group" | tr ',' '\n' | grep -qx "$1"
  fi
}

# chown_root_group PATH: root:pairing-agent, so the service can read what root owns.
chown_root_group() {
  local gid
  gid=$(group_id "$NAME")
  if [[ -z $gid ]]; then
    if ((DRY)) && manage_users; then
      say "would chown root:$NAME $1"
    else
      say "skipped chown root:$NAME $1: no group $NAME${ROOT:+ in $ROOT/etc/group} (DESTDIR: set it on the target, or use --create-user)"
    fi
    return 0
  fi
  if [[ $(stat -c %u:%g "$1" 2>/dev/null) == "0:$gid" ]]; then return 0; fi
  did chowned chown "root:$NAME $1"
  run chown "0:$gid" "$1"
}

# --- steps ---------------------------------------------------------------------------------------

NODE_VERSION=
check_node() {
  if [[ -z $NODE ]]; then
    NODE=$(command -v node || true)
    [[ -n $NODE ]] || die "node not found: install Node.js 20.19 or newer (NodeSource or the distribution's nodejs), or pass --node /path/to/node"
  fi
  check_path --node "$NODE"
  [[ -x $NODE && -f $NODE ]] || die "--node $NODE is not an executable file"
  NODE_VERSION=$("$NODE" -p 'process.versions.node' 2>/dev/null) || die "cannot run $NODE"
  [[ $NODE_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$NODE does not look like Node.js (it printed \"$NODE_VERSION\" as its version)"
  local major minor
  IFS=. read -r major minor _ <<<"$NODE_VERSION"
  if ((major < MIN_NODE_MAJOR || (major == MIN_NODE_MAJOR && minor < MIN_NODE_MINOR))); then
    die "Node.js $NODE_VERSION at $NODE is too old: $NAME needs Node.js $MIN_NODE_MAJOR.$MIN_NODE_MINOR or newer (install Node 20 or 22 from NodeSource, or pass --node /path/to/node)"
  fi
  case $NODE in
    /home/* | /root/* | /run/user/*)
      local why="the service cannot run $NODE: ProtectHome=yes hides /home, /root and /run/user (nvm installs there); install Node.js system-wide or pass --node"
      if [[ -z $ROOT ]]; then die "$why"; else warn "$why"; fi
      ;;
  esac
  say "checked node $NODE (v$NODE_VERSION)"
}

# Warnings only: the agent reports these itself, but an installer run is the moment to fix them.
check_hardware() {
  [[ -z $ROOT ]] || return 0
  if ! compgen -G '/dev/i2c-*' >/dev/null; then
    warn "no /dev/i2c-* here: enable I2C (sudo raspi-config nonint do_i2c 0) and reboot, or the OLED stays dark"
  fi
  if [[ ! -e /sys/class/gpio/export ]] && ! command -v gpiomon >/dev/null; then
    warn "this kernel has no sysfs GPIO and libgpiod's gpiomon is missing: sudo apt install gpiod (the button needs it)"
  fi
}

check_source() {
  local f
  for f in dist/pairing-agent.cjs package.json package-lock.json deploy/config.example.json deploy/$NAME.service deploy/sysfs-gpio.conf scripts/code-cache.mjs scripts/code-cache-writer.cjs; do
    [[ -f $SRC/$f ]] || die "$SRC/$f is missing: run \"npm ci && npm run build\" in $SRC first"
  done
}

ensure_user() {
  local rootargs=() g
  [[ -n $ROOT ]] && rootargs=(--root "$ROOT")
  local -A devs=([gpio]=/dev/gpiochip* [i2c]=/dev/i2c-*)
  local shell=/usr/sbin/nologin
  # shellcheck disable=SC2054 # "gpio,i2c" is one argument
  local useradd_args=(--system --user-group --no-create-home --home-dir "/var/lib/$NAME"
    --shell "$shell" --groups gpio,i2c --comment "$NAME daemon" "$NAME")
  if ! manage_users; then
    say "skipped user $NAME: DESTDIR is set, the system's users are left alone (on the target: useradd$(printf ' %q' "${useradd_args[@]}"); or --create-user)"
    return 0
  fi
  for g in gpio i2c; do
    if [[ -z $(group_id "$g") ]]; then
      did created create "group $g (no such group here: Raspberry Pi OS's udev rules give ${devs[$g]} to it, other systems need a rule)"
      run groupadd "${rootargs[@]}" --system "$g"
    fi
  done
  if ! user_exists "$NAME"; then
    did created create "user $NAME (system user, groups gpio,i2c, no login)"
    run useradd "${rootargs[@]}" "${useradd_args[@]}"
    return 0
  fi
  local missing=()
  for g in gpio i2c; do user_in_group "$NAME" "$g" || missing+=("$g"); done
  if ((${#missing[@]})); then
    did updated update "user $NAME: added to group(s) ${missing[*]}"
    run usermod "${rootargs[@]}" -a -G "$(
      IFS=,
      echo "${missing[*]}"
    )" "$NAME"
  else
    say "unchanged user $NAME"
  fi
}

install_app() {
  make_dir "$APP" 0755
  # dist/dev (the embedded provider, the demo, soak support) and dist/testing (the pairing-agent/testing
  # bundle for npm users) never run on the device (issue #14 item 2). dist/v8-cache is made below, for
  # the node the service runs.
  sync_tree "$SRC/dist" "$APP/dist" dev testing v8-cache
  install_file "$SRC/package.json" "$APP/package.json" 0644
  install_file "$SRC/package-lock.json" "$APP/package-lock.json" 0644
}

install_dependencies() {
  if ((NO_NPM)); then
    say "skipped npm ci --omit=dev in $APP (--no-npm)"
    return 0
  fi
  local npm
  npm=$(dirname "$NODE")/npm
  [[ -x $npm ]] || npm=$(command -v npm || true)
  [[ -n $npm ]] || die "npm not found next to $NODE or on PATH (or pass --no-npm)"
  local stamp=$APP/node_modules/.$NAME-install want
  # The native addons are built for one Node ABI and CPU: a new node means a rebuild.
  want="$(sha256sum <"$SRC/package-lock.json" | cut -d' ' -f1) node-$NODE_VERSION $(uname -m)"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    say "unchanged $APP/node_modules/"
    return 0
  fi
  CHANGED=1
  did ran run "npm ci --omit=dev in $APP"
  ((DRY)) && return 0
  (cd "$APP" && PATH="$(dirname "$NODE"):$PATH" "$npm" ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci --omit=dev failed in $APP"
  printf '%s\n' "$want" >"$stamp"
  # i2c-bus and onoff are optional dependencies: npm succeeds even when they fail to compile.
  if ! (cd "$APP" && "$NODE" -e 'require("i2c-bus"); require("onoff")') >/dev/null 2>&1; then
    warn "i2c-bus or onoff did not build: the Raspberry Pi hardware (\"hal\": \"rpi\") will not work. Install a compiler (sudo apt install build-essential python3) and run this installer again"
  fi
}

# V8's code cache of the command's bundles (issue #18: start-up on a Pi's budget; src/cli/bundle-loader.ts),
# made with the node the service runs: V8 refuses a cache from another version. Made again when the
# bundles or that node change. Optional: without it the bundles are compiled from source.
install_code_cache() {
  local dir=$APP/dist/v8-cache want
  want="$(sha256sum <"$SRC/dist/pairing-agent.cjs" | cut -d' ' -f1) node-$NODE_VERSION"
  if [[ -f $dir/stamp && $(cat "$dir/stamp") == "$want" ]]; then
    say "unchanged $dir/"
    return 0
  fi
  CHANGED=1
  if [[ -d $dir ]]; then did updated update "$dir/ (V8 code cache for node $NODE_VERSION)"; else did created create "$dir/ (V8 code cache for node $NODE_VERSION)"; fi
  ((DRY)) && return 0
  if ! "$NODE" "$SRC/scripts/code-cache.mjs" "$APP/dist" >/dev/null 2>"$TMP/code-cache.err"; then
    rm -rf "$dir"
    warn "no code cache ($(tail -n 1 "$TMP/code-cache.err")): the command starts a little slower"
    return 0
  fi
  find "$dir" -type f -exec chmod 0644 {} +
  chmod 0755 "$dir"
  printf '%s\n' "$want" >"$dir/stamp"
}

install_command() {
  printf '#!/bin/sh\n# The %s command, installed by deploy/install.sh: the node the service runs.\nexec %s %s/dist/pairing-agent.cjs "$@"\n' \
    "$NAME" "$NODE" "$PREFIX" >"$TMP/wrapper"
  install_file "$TMP/wrapper" "$APP/bin/$NAME" 0755
  if [[ -L $LINK && $(readlink "$LINK") == "$WRAPPER" ]]; then
    say "unchanged $LINK -> $WRAPPER"
  elif [[ -e $LINK && ! -L $LINK ]]; then
    warn "$LINK exists and is not a symlink: left alone (the command is $WRAPPER)"
  else
    if [[ -L $LINK ]]; then did updated update "$LINK -> $WRAPPER"; else did created create "$LINK -> $WRAPPER"; fi
    ((DRY)) || { mkdir -p "$(dirname "$LINK")" && ln -sfn "$WRAPPER" "$LINK"; }
  fi
}

install_config() {
  make_dir "$CONFDIR" 0750
  chown_root_group "$CONFDIR"
  if [[ -e $CONFIG ]]; then
    say "kept $CONFIG (an existing configuration is never overwritten)"
    [[ $(stat -c %a "$CONFIG") == *[1-7] ]] && warn "$CONFIG is readable by everyone: chmod 0640 it (it may hold a client secret)"
  else
    did created create "$CONFIG (mode 0640, from deploy/config.example.json: set client_id and issuer)"
    run install -m 0640 "$SRC/deploy/config.example.json" "$CONFIG"
  fi
  if [[ -e $CONFIG ]] || ((DRY)); then chown_root_group "$CONFIG"; fi
  return 0
}

install_unit() {
  sed -e "s|@NODE@|$NODE|g" -e "s|@PREFIX@|$PREFIX|g" "$SRC/deploy/$NAME.service" >"$TMP/unit"
  if grep -q '@[A-Z]*@' "$TMP/unit"; then die "deploy/$NAME.service has a placeholder this installer does not know"; fi
  install_file "$TMP/unit" "$UNIT" 0644
  if [[ $SYSFS_GPIO == auto ]]; then
    # The agent uses sysfs GPIO wherever /sys/class/gpio/export exists (hal/rpi/gpio.ts), and sysfs
    # needs the drop-in. Only this machine's kernel can be asked: under DESTDIR it is not the target's.
    if [[ -z $ROOT && -e /sys/class/gpio/export ]]; then
      say "checked GPIO: this kernel has sysfs GPIO (/sys/class/gpio), which the agent uses: sysfs-gpio drop-in needed"
      SYSFS_GPIO=yes
    else
      SYSFS_GPIO=keep
    fi
  fi
  case $SYSFS_GPIO in
    yes) install_file "$SRC/deploy/sysfs-gpio.conf" "$DROPIN" 0644 ;;
    keep) [[ -e $DROPIN ]] && install_file "$SRC/deploy/sysfs-gpio.conf" "$DROPIN" 0644 ;;
    no) remove_path "$DROPIN" ;;
  esac
  [[ -d $DROPIN_DIR ]] && [[ -z $(ls -A "$DROPIN_DIR") ]] && { did removed remove "$DROPIN_DIR/" && run rmdir "$DROPIN_DIR"; }
  return 0
}

systemd_enable() {
  if [[ -n $ROOT ]]; then
    say "skipped systemctl enable --now $NAME: DESTDIR is set (run it on the target)"
    return 0
  elif ((NO_ENABLE)); then
    say "skipped systemctl enable --now $NAME (--no-enable)"
    return 0
  elif ! manage_systemd; then
    say "skipped systemctl enable --now $NAME: systemd is not running here"
    return 0
  fi
  if ((CHANGED)); then
    did ran run "systemctl daemon-reload"
    run systemctl daemon-reload
  fi
  if systemctl is-enabled --quiet "$NAME.service" 2>/dev/null; then
    say "unchanged systemd: $NAME.service enabled"
  else
    did enabled enable "$NAME.service (starts at boot)"
    run systemctl enable --quiet "$NAME.service"
  fi
  local problem
  if grep -q "\"$EXAMPLE_CLIENT_ID\"" "$CONFIG" 2>/dev/null; then
    say "skipped start: $CONFIG still has the example client_id; edit it, then: sudo systemctl start $NAME"
    return 0
  fi
  if ! problem=$("$NODE" "$APP/dist/pairing-agent.cjs" --config "$CONFIG" config check 2>&1); then
    say "skipped start: the configuration is invalid: ${problem//$'\n'/ }"
    return 0
  fi
  if systemctl is-active --quiet "$NAME.service"; then
    if ((CHANGED)); then
      did restarted restart "$NAME.service"
      run systemctl restart "$NAME.service"
    else
      say "unchanged systemd: $NAME.service running"
    fi
  else
    did started start "$NAME.service"
    run systemctl start "$NAME.service"
  fi
}

# --- uninstall ----------------------------------------------------------------------------------

remove_path() { # removes a file, symlink or directory tree that exists
  if [[ -e $1 || -L $1 ]]; then
    did removed remove "$1"
    run rm -rf -- "$1"
  fi
}

uninstall() {
  if manage_systemd; then
    if systemctl is-enabled --quiet "$NAME.service" 2>/dev/null || systemctl is-active --quiet "$NAME.service" 2>/dev/null; then
      did "stopped and disabled" "stop and disable" "$NAME.service"
      run systemctl disable --now --quiet "$NAME.service" || true
    fi
  elif [[ -n $ROOT ]]; then
    say "skipped systemctl disable --now $NAME: DESTDIR is set"
  fi
  remove_path "$DROPIN"
  [[ -d $DROPIN_DIR && -z $(ls -A "$DROPIN_DIR") ]] && remove_path "$DROPIN_DIR"
  if [[ -e $UNIT ]]; then
    remove_path "$UNIT"
    if manage_systemd; then
      did ran run "systemctl daemon-reload"
      run systemctl daemon-reload
      run systemctl reset-failed "$NAME.service" 2>/dev/null || true
    fi
  fi
  if [[ -L $LINK ]]; then
    if [[ $(readlink "$LINK") == "$WRAPPER" ]]; then remove_path "$LINK"; else warn "$LINK points elsewhere: left alone"; fi
  fi
  # Only what this installer put there: a wrong --prefix must never delete someone else's files.
  if [[ -d $APP ]]; then
    if grep -q "\"name\": *\"$NAME\"" "$APP/package.json" 2>/dev/null; then
      local f
      for f in dist node_modules bin package.json package-lock.json; do remove_path "$APP/$f"; done
      if [[ -z $(ls -A "$APP" 2>/dev/null) ]] || ((DRY)); then
        did removed remove "$APP/"
        run rmdir "$APP"
      else
        warn "$APP has files this installer did not put there: left in place"
      fi
    else
      warn "$APP has no $NAME package.json: not removing it"
    fi
  fi
  if ((PURGE)); then
    remove_path "$CONFDIR"
  elif [[ -e $CONFIG ]]; then
    say "kept $CONFIG (--purge removes it)"
  fi
  if ((WIPE)); then
    if [[ -e $STATE ]]; then
      did removed remove "$STATE (tokens and pairing state; not revoked at the identity provider)"
      run rm -rf -- "$STATE"
    fi
  elif [[ -e $STATE ]]; then
    say "kept $STATE (tokens; --wipe-tokens or --purge removes them)"
  fi
  if ((PURGE)); then
    if ! manage_users; then
      say "skipped userdel $NAME: DESTDIR is set, the system's users are left alone"
    elif user_exists "$NAME"; then
      local rootargs=()
      [[ -n $ROOT ]] && rootargs=(--root "$ROOT")
      did removed remove "user $NAME"
      run userdel "${rootargs[@]}" "$NAME"
      # userdel removes the user's own group only where login.defs says USERGROUPS_ENAB yes.
      if [[ -n $(group_id "$NAME") ]] && ((!DRY)); then
        say "removed group $NAME"
        groupdel "${rootargs[@]}" "$NAME"
      fi
    fi
  fi
}

# --- main ---------------------------------------------------------------------------------------

((DRY)) && say "dry run: nothing is changed"
[[ -n $ROOT ]] && say "target: DESTDIR $ROOT"
if ((UNINSTALL)); then
  uninstall
  exit 0
fi
check_source
check_node
check_hardware
ensure_user
install_app
install_dependencies
install_code_cache
install_command
install_config
install_unit
systemd_enable
