# The agent image that `llm` launches: Ubuntu 24.04, an unprivileged `devuser`,
# everyday tools, Node.js, AWS CLI v2, and three agents (Codex, Claude Code, Pi).
#
# Build it with `llm build` (see docs/image.md), which runs, for example:
#   podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest \
#     --build-arg CODEX_VERSION=0.46.0 --build-arg CLAUDE_VERSION=2.0.14 \
#     --build-arg PI_VERSION=0.9.0 --secret id=mitm_ca_bundle,src=corp-ca.pem .
#
# Behind a TLS-intercepting proxy, give its CA as the build secret
# `mitm_ca_bundle`: every RUN that downloads mounts it and sources
# image/build-certs.sh, which trusts it for that RUN only (no layer keeps it).
FROM ubuntu:24.04

# Set by BuildKit and buildah from --platform; the fallback covers old builders.
ARG TARGETARCH
ARG DEBIAN_FRONTEND=noninteractive
ARG DEVUSER_UID=1000
ARG DEVUSER_GID=1000

# Fail first and clearly on an architecture the downloads below do not cover.
RUN set -eu; \
    arch="${TARGETARCH:-$(dpkg --print-architecture)}"; \
    case "$arch" in \
      amd64|arm64) ;; \
      *) echo "llm image: unsupported architecture '$arch': build for linux/amd64 or linux/arm64" >&2; exit 1 ;; \
    esac

# The base image is minimized without man pages; keep them for what is installed next.
RUN rm -f /etc/dpkg/dpkg.cfg.d/excludes

RUN --mount=type=secret,id=mitm_ca_bundle \
    --mount=type=tmpfs,target=/run/llm-ca \
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \
    --mount=type=bind,source=image/packages.txt,target=/run/llm-packages.txt \
    . /run/llm-build-certs.sh \
    && apt-get update \
    && apt-get install -y --no-install-recommends $(grep -v '^#' /run/llm-packages.txt) \
    && rm -rf /var/lib/apt/lists/*

# devuser owns its home and /workspace, with the uid podman maps the host user to.
RUN --mount=type=bind,source=image/install-user.sh,target=/run/llm-install-user.sh \
    sh /run/llm-install-user.sh

# Node.js, pinned, checked against the SHA256SUMS published with the release.
ARG NODE_VERSION=24.11.0
RUN --mount=type=secret,id=mitm_ca_bundle \
    --mount=type=tmpfs,target=/run/llm-ca \
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \
    . /run/llm-build-certs.sh \
    && set -eu \
    && case "${TARGETARCH:-$(dpkg --print-architecture)}" in \
         amd64) node_arch=x64 ;; arm64) node_arch=arm64 ;; esac \
    && tarball="node-v${NODE_VERSION}-linux-${node_arch}.tar.xz" \
    && cd /tmp \
    && curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/${tarball}" \
    && curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/SHASUMS256.txt" \
    && grep " ${tarball}\$" SHASUMS256.txt >node.sha256 \
    && sha256sum -c node.sha256 \
    && tar -xJf "$tarball" -C /usr/local --strip-components=1 --no-same-owner \
      --exclude='*/CHANGELOG.md' --exclude='*/README.md' \
    && rm -f "$tarball" SHASUMS256.txt node.sha256 \
    && node --version && npm --version

# AWS CLI v2 (Claude Code and Pi reach Amazon Bedrock through AWS profiles).
RUN --mount=type=secret,id=mitm_ca_bundle \
    --mount=type=tmpfs,target=/run/llm-ca \
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \
    . /run/llm-build-certs.sh \
    && set -eu \
    && case "${TARGETARCH:-$(dpkg --print-architecture)}" in \
         amd64) aws_arch=x86_64 ;; arm64) aws_arch=aarch64 ;; esac \
    && curl -fsSL -o /tmp/awscliv2.zip "https://awscli.amazonaws.com/awscli-exe-linux-${aws_arch}.zip" \
    && unzip -q /tmp/awscliv2.zip -d /tmp \
    && /tmp/aws/install \
    && rm -rf /tmp/aws /tmp/awscliv2.zip \
    && aws --version

# The agents come last: they change most often. `latest` means unpinned;
# `llm build --claude-version V --codex-version V --pi-version V` pins all three.
ARG CLAUDE_VERSION=latest
ARG CODEX_VERSION=latest
ARG PI_VERSION=latest
# Anthropic's signing key for its apt repository, checked before apt trusts it.
ARG CLAUDE_KEY_FINGERPRINT=31DDDE24DDFAB679F42D7BD2BAA929FF1A7ECACE

# Claude Code from Anthropic's apt repository (stable channel). A bare version
# such as 2.0.14 matches any Debian revision of it (2.0.14-1).
RUN --mount=type=secret,id=mitm_ca_bundle \
    --mount=type=tmpfs,target=/run/llm-ca \
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \
    . /run/llm-build-certs.sh \
    && set -eu \
    && install -d -m 0755 /etc/apt/keyrings \
    && curl -fsSL -o /etc/apt/keyrings/claude-code.asc https://downloads.claude.ai/keys/claude-code.asc \
    && export GNUPGHOME="$(mktemp -d)" \
    && fingerprint="$(gpg --show-keys --with-colons /etc/apt/keyrings/claude-code.asc \
         | awk -F: '$1 == "fpr" { print $10; exit }')" \
    && rm -rf "$GNUPGHOME" \
    && if [ "$fingerprint" != "$CLAUDE_KEY_FINGERPRINT" ]; then \
         echo "llm image: Claude Code signing key has fingerprint '$fingerprint', expected $CLAUDE_KEY_FINGERPRINT" >&2; \
         exit 1; \
       fi \
    && echo "deb [signed-by=/etc/apt/keyrings/claude-code.asc] https://downloads.claude.ai/claude-code/apt/stable stable main" \
      >/etc/apt/sources.list.d/claude-code.list \
    && case "$CLAUDE_VERSION" in \
         latest) package=claude-code ;; \
         *-*) package="claude-code=${CLAUDE_VERSION}" ;; \
         *) package="claude-code=${CLAUDE_VERSION}-*" ;; \
       esac \
    && apt-get update \
    && apt-get install -y --no-install-recommends "$package" \
    && rm -rf /var/lib/apt/lists/* \
    && claude --version

# Codex and Pi from npm.
RUN --mount=type=secret,id=mitm_ca_bundle \
    --mount=type=tmpfs,target=/run/llm-ca \
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \
    --mount=type=bind,source=image/install-agents.sh,target=/run/llm-install-agents.sh \
    . /run/llm-build-certs.sh \
    && sh /run/llm-install-agents.sh "codex=${CODEX_VERSION}" "pi=${PI_VERSION}"

# What llm adds to the agents: Pi re-reads ~/.pi/agent/auth.json when `llm refresh`
# replaces it (on by default), and Claude Code's status line script (used on request).
RUN --mount=type=bind,source=image/install-extras.sh,target=/run/llm-extras/install-extras.sh \
    --mount=type=bind,source=image/pi-auth-reload.js,target=/run/llm-extras/pi-auth-reload.js \
    --mount=type=bind,source=image/pi-launcher.mjs,target=/run/llm-extras/pi-launcher.mjs \
    --mount=type=bind,source=image/llm-claude-statusline,target=/run/llm-extras/llm-claude-statusline \
    sh /run/llm-extras/install-extras.sh /run/llm-extras

COPY --chmod=755 image/llm-diagnostics /usr/local/bin/llm-diagnostics

ENV HOME=/home/devuser \
    USER=devuser \
    SHELL=/bin/bash \
    LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 \
    TERM=xterm-256color \
    EDITOR=vim \
    PATH=/home/devuser/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ARG SOURCE_REPOSITORY=https://github.com/nichd-bspc/llm
LABEL org.opencontainers.image.source="${SOURCE_REPOSITORY}" \
      org.opencontainers.image.title="llm" \
      org.opencontainers.image.description="Codex, Claude Code and Pi with everyday tools, for running AI coding agents in containers with llm" \
      io.github.nichd-bspc.llm.claude-version="${CLAUDE_VERSION}" \
      io.github.nichd-bspc.llm.codex-version="${CODEX_VERSION}" \
      io.github.nichd-bspc.llm.pi-version="${PI_VERSION}"

USER devuser
WORKDIR /workspace
CMD ["/bin/bash"]
