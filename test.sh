#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine.
#
# The tests start their own servers (Redis, etcd, PostgreSQL, MariaDB) from the installed binaries, run ZooKeeper
# in the test JVM (Curator's TestingServer, a real ZooKeeper server, nothing to install) and drive a headless
# Chromium; this script installs the Debian packages that are missing when run as root, or names them and stops when
# not. Then it runs the Maven build (the wrapper downloads Maven) and the Redis tests a second time on Jedis 8.
# Honors JAVA_HOME (the build passes on JDK 17 and on JDK 25) and JDK25_HOME (the virtual-thread tests' JDK).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if [[ -z "${JAVA_HOME:-}" ]] && ! command -v javac >/dev/null 2>&1; then
    missing+=(openjdk-17-jdk-headless)
fi
command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || missing+=(curl)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The etcd tests start their own members from Debian's etcd-server (3.4, installed as /usr/bin/etcd).
[[ -x /usr/bin/etcd ]] || [[ -x /usr/local/bin/etcd ]] || missing+=(etcd-server)
# The sample's page is tested in a real headless Chromium, driven through Debian's chromedriver (never downloaded).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
# PostgreSQL runs as the postgres OS user when the tests run as root (setpriv, from util-linux).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] || missing+=(mariadb-server)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
# The Redlock clock test runs one Redis master under libfaketime (Debian's faketime package brings the library).
[[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ]] || missing+=(faketime)

# The virtual-thread tests compile and run on a JDK 25 of their own (the rest builds on the build's JDK). Debian 12
# packages none, so it is looked for where Temurin's package puts it, or in JDK25_HOME.
jdk25="${JDK25_HOME:-}"
if [[ -z "$jdk25" ]]; then
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
        if [[ -x "$candidate/bin/javac" ]]; then
            jdk25="$candidate"
            break
        fi
    done
fi
if [[ -z "$jdk25" || ! -x "$jdk25/bin/javac" ]]; then
    echo "The virtual-thread tests need a JDK 25, which is not installed: install Temurin 25 (Adoptium's apt" >&2
    echo "repository, package temurin-25-jdk, or its archive from adoptium.net) or set JDK25_HOME to a JDK 25." >&2
    exit 1
fi

if ((${#missing[@]})); then
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "The tests need these Debian packages, which are not installed: ${missing[*]}" >&2
        echo "Install them (sudo apt-get install -y ${missing[*]}) or run this script as root, which installs them." >&2
        exit 1
    fi
    echo "Installing the missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
fi

./mvnw -B -ntp verify -Djdk25.home="$jdk25"

# The Redis backend codes against the Jedis API shared by 7.0 (managed by Spring Boot) and 8.x: its tests run again
# on the newest Jedis.
./mvnw -B -ntp -pl backends/lock-redis,lock-spring-boot-autoconfigure -am clean verify -Djedis.version=8.0.2 \
    -Dtest='io.github.distlock.redis.**,io.github.distlock.autoconfigure.Redis*,io.github.distlock.autoconfigure.CheckoutAcrossInstances*' \
    -Dsurefire.failIfNoSpecifiedTests=false
