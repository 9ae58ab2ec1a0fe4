# POSIX sh, run as root inside the image being built (the
# Dockerfile and tasks/_agent_rootfs.ts): create the unprivileged `devuser`
# that owns its home and /workspace, with the uid podman maps the host user to.
#
# DEVUSER_UID and DEVUSER_GID default to 1000.
set -eu
uid="${DEVUSER_UID:-1000}"
gid="${DEVUSER_GID:-1000}"
# Ubuntu's image ships a user `ubuntu` with uid 1000; it gives way.
if id ubuntu >/dev/null 2>&1; then userdel --remove ubuntu; fi
if getent group ubuntu >/dev/null; then groupdel ubuntu; fi
groupadd --gid "$gid" devuser
useradd --uid "$uid" --gid "$gid" --create-home \
  --home-dir /home/devuser --shell /bin/bash devuser
if [ -d /etc/sudoers.d ]; then
  printf 'devuser ALL=(ALL) NOPASSWD:ALL\n' >/etc/sudoers.d/devuser
  chmod 0440 /etc/sudoers.d/devuser
fi
mkdir -p /workspace /home/devuser/.local/bin
chown -R devuser:devuser /workspace /home/devuser
