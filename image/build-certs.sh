# Sourced (never run) at the start of each Dockerfile RUN that downloads, so
# that apt, curl and npm trust an intercepting proxy's CA for that RUN only.
#
# The CA is the optional build secret `mitm_ca_bundle` (a PEM file given with
# `llm build --certs FILE`). Build secrets are mounted for one RUN and never
# committed; the combined bundle and apt's setting go to a tmpfs mounted at
# /run/llm-ca for the same RUN. So nothing of the CA reaches an image layer.
# Without the secret this does nothing.
#
# POSIX sh: the Dockerfile's RUN lines use /bin/sh.
llm_secret="${LLM_BUILD_SECRET:-/run/secrets/mitm_ca_bundle}"
llm_ca_dir="${LLM_BUILD_CA_DIR:-/run/llm-ca}"
if [ -s "$llm_secret" ]; then
  mkdir -p "$llm_ca_dir"
  # npm's cafile replaces its trusted CAs rather than adding to them, so give
  # every tool the system CAs (once ca-certificates is installed) plus this one.
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cat /etc/ssl/certs/ca-certificates.crt "$llm_secret" >"$llm_ca_dir/ca.pem"
  else
    cat "$llm_secret" >"$llm_ca_dir/ca.pem"
  fi
  # APT_CONFIG names a config file read before apt.conf.d, so no file under
  # /etc/apt is needed.
  printf 'Acquire::https::CAInfo "%s";\n' "$llm_ca_dir/ca.pem" >"$llm_ca_dir/apt.conf"
  export APT_CONFIG="$llm_ca_dir/apt.conf"
  export SSL_CERT_FILE="$llm_ca_dir/ca.pem"
  export CURL_CA_BUNDLE="$llm_ca_dir/ca.pem"
  export GIT_SSL_CAINFO="$llm_ca_dir/ca.pem"
  export AWS_CA_BUNDLE="$llm_ca_dir/ca.pem"
  export REQUESTS_CA_BUNDLE="$llm_ca_dir/ca.pem"
  export npm_config_cafile="$llm_ca_dir/ca.pem"
  export NODE_EXTRA_CA_CERTS="$llm_secret"
fi
unset llm_secret llm_ca_dir
