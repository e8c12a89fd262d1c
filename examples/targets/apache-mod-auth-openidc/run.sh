#!/bin/sh
# Starts Apache httpd with mod_auth_openidc in the foreground (`apache2 -D FOREGROUND`) on this
# folder's httpd.conf, for mock-entra's conformance mode (target.yaml) or by hand.
#
# Why a launcher rather than `apache2 -X -f httpd.conf` alone: started as root, Apache answers
# requests as www-data (the `User` directive), which cannot read a clone under /root nor the
# mock's CA file there. So the site and the CA are copied into RUN_DIR, made world-readable, and
# Apache runs on the copy. Started by anyone else, Apache keeps that account.
#
# Reads (httpd.conf's header says what each is for):
#   APACHE_PORT             port on 127.0.0.1 (default 8080)
#   RUN_DIR                 a writable directory for the copy, pid file, logs (default /tmp/mock-entra-apache)
#   OIDC_METADATA_URL OIDC_CLIENT_ID OIDC_CLIENT_SECRET   the mock's tenant and the app registration
#   OIDC_CA_BUNDLE          the mock's CA (PEM); empty or unset: the system's CA bundle (a mock on
#                           plain HTTP needs none; Entra itself is trusted by the system bundle)
#   OIDC_CRYPTO_PASSPHRASE  encrypts mod_auth_openidc's cookies (default: random per start, so
#                           sessions end with the process)
#   APACHE_BIN              default /usr/sbin/apache2 (Debian 12: apt-get install apache2 libapache2-mod-auth-openidc)
#
#   ./run.sh           start, in the foreground (stops on SIGTERM / Ctrl-C)
#   ./run.sh restart   make the running server (same RUN_DIR) forget cached discovery and keys:
#                      SIGHUP, Apache's restart, which re-reads the configuration and
#                      re-initialises mod_auth_openidc and its shared-memory cache
set -eu

here=$(cd "$(dirname "$0")" && pwd)
RUN_DIR=${RUN_DIR:-/tmp/mock-entra-apache}
apache=${APACHE_BIN:-/usr/sbin/apache2}

if [ "${1:-}" = restart ]; then
  if [ ! -s "$RUN_DIR/httpd.pid" ]; then
    echo "run.sh restart: no Apache started by run.sh with RUN_DIR=$RUN_DIR ($RUN_DIR/httpd.pid is missing)" >&2
    exit 1
  fi
  exec kill -HUP "$(cat "$RUN_DIR/httpd.pid")"
fi
if [ "$#" -gt 0 ]; then
  echo "usage: run.sh [restart]" >&2
  exit 2
fi
if [ ! -x "$apache" ] || [ ! -f /usr/lib/apache2/modules/mod_auth_openidc.so ]; then
  echo "run.sh: Apache httpd with mod_auth_openidc is not installed ($apache, /usr/lib/apache2/modules/mod_auth_openidc.so): apt-get install apache2 libapache2-mod-auth-openidc" >&2
  exit 1
fi
for v in OIDC_METADATA_URL OIDC_CLIENT_ID OIDC_CLIENT_SECRET; do
  eval "value=\${$v:-}"
  if [ -z "$value" ]; then
    echo "run.sh: $v is not set (see the header of $here/httpd.conf)" >&2
    exit 2
  fi
done

mkdir -p "$RUN_DIR"
rm -rf "$RUN_DIR/site"
cp -R "$here" "$RUN_DIR/site"
if [ -n "${OIDC_CA_BUNDLE:-}" ]; then
  cp "$OIDC_CA_BUNDLE" "$RUN_DIR/ca.pem"
else
  cp /etc/ssl/certs/ca-certificates.crt "$RUN_DIR/ca.pem"
fi
chmod -R a+rX "$RUN_DIR"

export APACHE_PORT="${APACHE_PORT:-8080}"
export APACHE_RUN_DIR="$RUN_DIR"
export APACHE_SITE_DIR="$RUN_DIR/site"
export OIDC_CA_BUNDLE="$RUN_DIR/ca.pem"
if [ -z "${OIDC_CRYPTO_PASSPHRASE:-}" ]; then
  OIDC_CRYPTO_PASSPHRASE=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
fi
export OIDC_CRYPTO_PASSPHRASE
if [ "$(id -u)" = 0 ]; then
  export APACHE_USER=www-data APACHE_GROUP=www-data
else
  export APACHE_USER="$(id -un)" APACHE_GROUP="#$(id -g)"
fi
# In the foreground (-D FOREGROUND: a parent and its prefork children, so that `restart` works;
# `-X` would exit on SIGHUP). Apache signals its whole process group when it restarts: started by
# another program (not as the leader of its own group), it gets a session of its own first —
# setsid then runs it in place, under the same pid, so that program can still stop it.
conf="$RUN_DIR/site/httpd.conf"
if [ "$(cut -d' ' -f5 /proc/$$/stat)" != "$$" ] && command -v setsid >/dev/null; then
  exec setsid "$apache" -D FOREGROUND -f "$conf"
fi
exec "$apache" -D FOREGROUND -f "$conf"
