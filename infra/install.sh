#!/usr/bin/env bash
# Installs whatever is missing for the platform, idempotently:
#   Debian packages (PostgreSQL 15 + PostGIS, a JDK, Maven, curl, Node.js, Chromium, wrk), Apache Kafka jars and the
#   Keycloak distribution from Maven Central, and the Python virtual environment from PyPI.
# Everything lands under .var/ (ignored by git) except apt packages and ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source infra/versions.env
DIST=$ROOT/.var/dist
mkdir -p "$DIST"
MAVEN_CENTRAL=https://repo1.maven.org/maven2

log() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------------------
need_apt=()
[ -x /usr/lib/postgresql/$POSTGRES_MAJOR/bin/initdb ] || need_apt+=(postgresql-$POSTGRES_MAJOR postgresql-contrib)
dpkg -s "$POSTGIS_PACKAGE" >/dev/null 2>&1 || need_apt+=("$POSTGIS_PACKAGE")
command -v java >/dev/null 2>&1 || need_apt+=("$JAVA_PACKAGE")
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)       # builds the web front ends
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)    # browser tests (Playwright drives Debian's build)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || need_apt+=(fonts-wqy-zenhei)  # Chinese glyphs for that Chromium (pages, canvas charts, screenshots)
dpkg -s fonts-arphic-uming >/dev/null 2>&1 || need_apt+=(fonts-arphic-uming)  # a Song (明) face for the printed enforcement documents (reportlab embeds it)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)              # bench/: HTTP load generator
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)  # the gateway's shared rate limits across workers
command -v jq >/dev/null 2>&1 || need_apt+=(jq)                # the README's examples read JSON with it
command -v uuidgen >/dev/null 2>&1 || need_apt+=(uuid-runtime) # ... and make Idempotency-Keys with it
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Apache Kafka (jars from Maven Central) ------------------------------------------------
KAFKA_HOME=$DIST/kafka-$KAFKA_VERSION
if [ ! -f "$KAFKA_HOME/.complete" ]; then
  log "kafka $KAFKA_VERSION from Maven Central"
  rm -rf "$KAFKA_HOME"; mkdir -p "$KAFKA_HOME/libs"
  mvn -q -B -f infra/kafka/pom.xml -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"
  touch "$KAFKA_HOME/.complete"
fi

# --- Keycloak (server distribution from Maven Central) -------------------------------------
KC_HOME=$DIST/keycloak-$KEYCLOAK_VERSION
if [ ! -f "$KC_HOME/.complete" ]; then
  log "keycloak $KEYCLOAK_VERSION from Maven Central"
  tgz=$DIST/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz
  url=$MAVEN_CENTRAL/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz
  curl -fsSL -o "$tgz" "$url"
  echo "$(curl -fsSL "$url.sha1")  $tgz" | sha1sum -c --quiet
  rm -rf "$KC_HOME"; tar -xzf "$tgz" -C "$DIST"; rm -f "$tgz"
  # Bake the build-time options once (PostgreSQL, health, metrics) so each start is `--optimized`.
  log "keycloak: build for PostgreSQL (one-off, ~40 s)"
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" "$KC_HOME/bin/kc.sh" build --db=postgres --health-enabled=true --metrics-enabled=true >"$DIST/keycloak-build.log" 2>&1 \
    || { cat "$DIST/keycloak-build.log"; exit 1; }
  touch "$KC_HOME/.complete"
fi

# --- grpcurl (the README's look at a service's gRPC reflection; a Go module, not a Debian package) ------
if ! command -v grpcurl >/dev/null 2>&1; then
  if command -v go >/dev/null 2>&1; then
    log "grpcurl $GRPCURL_VERSION from the Go module proxy"
    GOBIN_DIR=/usr/local/bin; [ "$(id -u)" = 0 ] || GOBIN_DIR=$HOME/.local/bin
    mkdir -p "$GOBIN_DIR"
    GOBIN=$GOBIN_DIR GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
  else
    log "grpcurl not installed: no Go toolchain (optional: only the README's reflection example needs it)"
  fi
fi

# --- Python virtual environment --------------------------------------------------------------
VENV=$ROOT/.venv
if [ ! -x "$VENV/bin/python" ]; then
  log "python venv"
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
if ! cmp -s requirements.txt "$VENV/.requirements.installed"; then
  log "pip install -r requirements.txt"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt "$VENV/.requirements.installed"
fi
# The repo root and the generated protobuf code are importable from the venv.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$ROOT" "$ROOT/proto/gen" > "$site/safety-platform.pth"
log "ok"
