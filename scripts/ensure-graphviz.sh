#!/bin/sh
# Graphviz's `dot` draws the course's diagrams. Install it where we can, or say how.
command -v dot >/dev/null 2>&1 && exit 0
echo "Graphviz (dot) is missing; installing it ..."
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != none ]; then
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq graphviz >/dev/null && exit 0
  fi
elif command -v brew >/dev/null 2>&1; then
  brew install graphviz && exit 0
fi
cat >&2 <<'MSG'
Could not install Graphviz automatically. Please install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz      (Homebrew: https://brew.sh)
MSG
exit 1
