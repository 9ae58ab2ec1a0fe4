# install-agents.sh AGENT=VERSION...: install agent CLIs from npm, globally,
# and check that each one runs and reports the version asked for.
#
# AGENT is codex, claude or pi; VERSION an npm version or `latest`. Run as
# root inside the image being built, with node and npm on PATH (the
# Dockerfile and tasks/_agent_rootfs.ts). POSIX sh.
set -eu
set -f
packages=""
for spec in "$@"; do
  agent="${spec%%=*}"
  version="${spec#*=}"
  case "$agent" in
    codex) package=@openai/codex ;;
    claude) package=@anthropic-ai/claude-code ;;
    pi) package=@earendil-works/pi-coding-agent ;;
    *)
      echo "install-agents.sh: unknown agent '$agent' (expected codex, claude or pi)" >&2
      exit 2
      ;;
  esac
  if [ -z "$version" ] || [ "$version" = "$spec" ]; then
    echo "install-agents.sh: '$spec' has no version (expected AGENT=VERSION or AGENT=latest)" >&2
    exit 2
  fi
  packages="$packages $package@$version"
done
if [ -z "$packages" ]; then
  echo "install-agents.sh: no agents given (expected AGENT=VERSION...)" >&2
  exit 2
fi
# Word splitting is wanted: the specs hold no spaces, and globbing is off.
# shellcheck disable=SC2086
npm install --global --no-fund --no-audit $packages
npm cache clean --force 2>/dev/null
for spec in "$@"; do
  agent="${spec%%=*}"
  version="${spec#*=}"
  reported="$("$agent" --version)"
  case "$version" in
    latest) ;;
    *)
      case "$reported" in
        *"$version"*) ;;
        *)
          echo "install-agents.sh: $agent reports '$reported', expected version $version" >&2
          exit 1
          ;;
      esac
      ;;
  esac
  echo "install-agents.sh: $agent: $reported"
done
