#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, idempotently, into ignored folders:
#   node_modules/               npm ci (project and policypack/)
#   .cache/venv/                moto[server], the local AWS API emulator for tests
#   .cache/elasticsearch/       the Elasticsearch integ-test-zips from Maven Central (every version of the test matrix)
# Prerequisites: Node 20+, Python 3 with venv/pip, Java 17+ (and 21+ for Elasticsearch 9), Maven, openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env

step() { printf '\n==> %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not installed: $2" >&2; exit 1; }; }
need node "install Node.js 20 or newer"
need npm "install npm (comes with Node.js)"
need python3 "install Python 3 with the venv module"
need java "install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)"
need mvn "install Maven (e.g. apt-get install maven)"
need openssl "install openssl"

start=$SECONDS
step "npm dependencies"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi
if [[ -f policypack/package.json ]]; then
  if [[ ! -d policypack/node_modules || policypack/package-lock.json -nt policypack/node_modules/.package-lock.json ]]; then
    (cd policypack && npm ci --no-audit --no-fund)
  fi
fi

step "moto ${MOTO_VERSION} (local AWS API emulator)"
if [[ ! -x .cache/venv/bin/moto_server ]] || ! .cache/venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '${MOTO_VERSION}')" 2>/dev/null; then
  python3 -m venv .cache/venv
  .cache/venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
fi
.cache/venv/bin/python -c "import moto; print('moto', moto.__version__)"

# The Elasticsearch test matrix: every version of ELASTICSEARCH_VERSIONS (the suite runs against the first; .ci/run
# runs the Elasticsearch specs again against each further one, picked with ELASTICSEARCH_VERSION).
IFS=, read -ra es_versions <<<"${ELASTICSEARCH_VERSIONS}"
java_major() { local release="$1/release"; [[ -f "$release" ]] && sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$release" | head -1; }
for es_version in "${es_versions[@]}"; do
  step "Elasticsearch ${es_version} (integ-test-zip from Maven Central)"
  es_home=".cache/elasticsearch/elasticsearch-${es_version}"
  if [[ ! -x "${es_home}/bin/elasticsearch" ]]; then
    mkdir -p .cache/elasticsearch .cache/m2
    mvn --batch-mode --quiet -Dmaven.repo.local="$PWD/.cache/m2" dependency:copy \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${es_version}:zip" \
      -DoutputDirectory="$PWD/.cache/elasticsearch"
    rm -rf "${es_home}.partial" && mkdir -p "${es_home}.partial"
    (cd "${es_home}.partial" && unzip -q "../elasticsearch-${es_version}.zip")
    mv "${es_home}.partial/elasticsearch-${es_version}" "${es_home}" && rmdir "${es_home}.partial"
    rm -f ".cache/elasticsearch/elasticsearch-${es_version}.zip"
    # The node runs unprivileged when tests run as root; it only needs to read the distribution.
    chmod -R a+rX "${es_home}"
  fi
  echo "Elasticsearch ${es_version} at ${es_home}"
  # The integ-test-zip brings no JDK: 8.x runs on Java 17+, 9.x needs 21+ (the harness looks in the same places).
  if [[ "${es_version%%.*}" -ge 9 ]]; then
    found=""
    for home in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
      [[ -n "$home" && -x "$home/bin/java" ]] || continue
      major=$(java_major "$home"); [[ -n "$major" && "$major" -ge 21 ]] && { found="$home"; break; }
    done
    [[ -n "$found" ]] || { echo "setup: Elasticsearch ${es_version} needs Java 21+ and none was found (ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm): install a JDK 21+ (e.g. Temurin) or set ES_JAVA_HOME" >&2; exit 1; }
    echo "Java for Elasticsearch ${es_version}: ${found}"
  fi
done
printf '\nsetup finished in %ss\n' "$((SECONDS - start))"
