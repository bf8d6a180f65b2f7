#!/usr/bin/env bash
# Installs the Debian packages listed in deploy/debian-packages.txt (and, with
# an argument naming another list, that one too) that are not installed yet.
# As root it runs apt-get; otherwise it prints the one command to run and fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/debian-packages.txt" "$@")
missing=()
for list in "${lists[@]}"; do
    while read -r pkg; do
        pkg=${pkg%%#*}; pkg=$(echo "$pkg" | tr -d '[:space:]')
        [ -n "$pkg" ] || continue
        # "package:command" = needed only when command is not on PATH (node
        # and npm may come from another distribution of Node.js)
        case $pkg in
        *:*) command -v "${pkg#*:}" >/dev/null 2>&1 && continue; pkg=${pkg%%:*} ;;
        esac
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done <"$list"
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages; run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
