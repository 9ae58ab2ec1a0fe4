# install-extras.sh SRC: install what llm adds to the agents, from the
# directory SRC holding image/'s files. Run as root inside the image being
# built, after install-agents.sh (the Dockerfile and tasks/_agent_rootfs.ts).
# POSIX sh.
#
# - /usr/local/bin/llm-claude-statusline: Claude Code's status line (model,
#   context use, cost, duration), used when the user opts in (llm --status-line).
# - Pi's auth.json hot reload (pi-auth-reload.js), loaded by default: Pi's
#   command becomes pi-launcher.mjs, which runs Pi's own main with the
#   extension; Pi's entry point stays reachable as /usr/local/lib/llm/pi-cli.
set -eu
src="${1:?usage: install-extras.sh SRC (the directory holding image/ files)}"
lib=/usr/local/lib/llm
install -d -m 0755 "$lib"
install -m 0755 "$src/llm-claude-statusline" /usr/local/bin/llm-claude-statusline
pi="$(command -v pi || true)"
if [ -n "$pi" ]; then
  install -m 0644 "$src/pi-auth-reload.js" "$lib/pi-auth-reload.js"
  target="$(readlink -f "$pi")"
  if [ "$target" != "$lib/pi-launcher.mjs" ]; then
    ln -sf "$target" "$lib/pi-cli"
  fi
  install -m 0755 "$src/pi-launcher.mjs" "$lib/pi-launcher.mjs"
  ln -sf "$lib/pi-launcher.mjs" "$pi"
  # The launcher must answer as Pi does, and load the extension (its flag shows in
  # the help); in a scratch home, offline, so the image keeps no Pi state.
  home="$(mktemp -d)"
  expected="$(HOME="$home" PI_OFFLINE=1 "$lib/pi-cli" --version)"
  reported="$(HOME="$home" PI_OFFLINE=1 pi --version)"
  if [ "$reported" != "$expected" ]; then
    echo "install-extras.sh: pi through the launcher reports '$reported', expected '$expected'" >&2
    exit 1
  fi
  help="$(HOME="$home" PI_OFFLINE=1 pi --help 2>&1)"
  rm -rf "$home"
  if ! printf '%s\n' "$help" | grep -q -e '--no-auth-reload'; then
    echo "install-extras.sh: pi does not load the auth reload extension (no --no-auth-reload in its help)" >&2
    exit 1
  fi
  echo "install-extras.sh: pi $reported with the auth reload extension"
fi
echo '{"model":{"display_name":"check"}}' | llm-claude-statusline >/dev/null
echo "install-extras.sh: llm-claude-statusline"
