#!/bin/sh
# Install llm: download the release binary for this machine, check it against
# the release's SHA256SUMS, and put it in ~/.local/bin (or $LLM_INSTALL_DIR).
#
#   curl -fsSL https://github.com/nichd-bspc/llm/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- v0.2.0      # a given release
#
# Environment:
#   LLM_INSTALL_DIR   where to put llm (default: ~/.local/bin)
#   LLM_VERSION       release tag to install (default: latest; an argument wins)
#   LLM_RELEASE_URL   releases page to download from
#                     (default: https://github.com/nichd-bspc/llm/releases)
#
# Nothing is installed unless the download matches its checksum.
set -eu

RELEASE_URL=${LLM_RELEASE_URL:-https://github.com/nichd-bspc/llm/releases}
INSTALL_DIR=${LLM_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}
VERSION=${LLM_VERSION:-latest}

die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF_USAGE'
Usage: install.sh [VERSION]

Installs the llm release VERSION (default: latest) for this machine into
$LLM_INSTALL_DIR (default: ~/.local/bin), after checking it against the
release's SHA256SUMS. LLM_RELEASE_URL overrides where releases are fetched.
EOF_USAGE
}

# The Rust-style target triple of the release binary for this machine.
detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case $os in
    Linux) os=unknown-linux-gnu ;;
    Darwin)
      os=apple-darwin
      # A shell under Rosetta reports x86_64 on Apple silicon: prefer the native build.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
        arch=arm64
      fi
      ;;
    *) die "no llm build for operating system '$os': releases exist for Linux and macOS (Darwin)" ;;
  esac
  case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no llm build for architecture '$arch': releases exist for x86_64 and arm64 (aarch64)" ;;
  esac
  printf '%s-%s\n' "$arch" "$os"
}

# fetch URL FILE
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" || die "could not download $1 (does release '$VERSION' exist?)"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || die "could not download $1 (does release '$VERSION' exist?)"
  else
    die "neither curl nor wget is installed; install one of them and run this again"
  fi
}

# sha256 FILE: the hex digest.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed, so the download cannot be checked"
  fi
}

case ${1:-} in
  -h | --help) usage; exit 0 ;;
  "") ;;
  -*) die "unknown option '$1': usage: install.sh [VERSION]" ;;
  *) VERSION=$1 ;;
esac

target=$(detect_target)
name=llm-$target
if [ "$VERSION" = latest ]; then
  base=$RELEASE_URL/latest/download
else
  case $VERSION in v*) ;; *) VERSION=v$VERSION ;; esac
  base=$RELEASE_URL/download/$VERSION
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t llm-install)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "Downloading $name ($VERSION) from $base"
fetch "$base/$name" "$tmp/$name"
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"

expected=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS of release '$VERSION' has no line for $name"
actual=$(sha256 "$tmp/$name")
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $name: SHA256SUMS says $expected, the download is $actual; nothing was installed"
fi

mkdir -p "$INSTALL_DIR" || die "cannot create $INSTALL_DIR; set LLM_INSTALL_DIR to a directory you can write"
# Copy next to the destination, then rename: a running llm is never half-written.
cp "$tmp/$name" "$INSTALL_DIR/.llm.install.$$" ||
  die "cannot write to $INSTALL_DIR; set LLM_INSTALL_DIR to a directory you can write"
chmod 755 "$INSTALL_DIR/.llm.install.$$"
mv -f "$INSTALL_DIR/.llm.install.$$" "$INSTALL_DIR/llm"
echo "Installed $INSTALL_DIR/llm: $("$INSTALL_DIR/llm" --version 2>/dev/null || echo "(could not run it)")"

case ":${PATH:-}:" in
  *":$INSTALL_DIR:"*) ;;
  *)
    case ${SHELL:-} in
      */zsh) rc='~/.zshrc' ;;
      */fish) rc= ;;
      *) rc='~/.bashrc' ;;
    esac
    echo ""
    echo "$INSTALL_DIR is not on your PATH. Add it with:"
    if [ -z "$rc" ]; then
      echo "  fish_add_path $INSTALL_DIR"
    else
      echo "  echo 'export PATH=\"$INSTALL_DIR:\$PATH\"' >> $rc"
      echo "then open a new terminal."
    fi
    ;;
esac
