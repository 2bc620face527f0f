#!/usr/bin/env bash
# Services the test suite talks to over loopback: a private PostgreSQL server (started here),
# nginx (installed here; the webhook tests start their own instances) and Debian's chromium (the
# web chat's browser test drives it).
#
#   bash .ci/services.sh ENV_FILE
#
# Writes `export LEGALBOT_TEST_POSTGRES=postgresql://…` into ENV_FILE when a server is up.
# Whatever goes wrong is printed and the exit status is 1, so .ci/run stops instead of letting
# the tests that need a service skip.
#
# The server is a throwaway cluster of its own (initdb into LEGALBOT_PG_DIR, default
# /tmp/legalbot-postgres, on a free port, as the postgres user when run as root), so it never
# touches a system cluster. Running the script again reuses a server it started that is still up.
# Durability is off (fsync, synchronous_commit): it holds test data only.
# Stop it with: pg_ctl -D "$LEGALBOT_PG_DIR/data" stop (as the postgres user when root).

set -uo pipefail

ENV_FILE=${1:?usage: services.sh ENV_FILE}
PG_DIR=${LEGALBOT_PG_DIR:-/tmp/legalbot-postgres}
DATA=$PG_DIR/data
ROLE=legalbot
DATABASE=legalbot_test

say() { echo "services: $*" >&2; }

pg_bin() {
    # The newest installed server's tools (Debian keeps them out of PATH).
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

install_missing() {
    local packages=()
    [ -n "$(pg_bin)" ] || packages+=(postgresql)
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
    command -v chromium >/dev/null 2>&1 || packages+=(chromium)
    [ ${#packages[@]} -gt 0 ] || return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "missing ${packages[*]}, and cannot install them here (needs root and apt-get)"
        return 0
    fi
    say "installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq >&2 || say "apt-get update failed"
    timeout 900 apt-get install -y -qq "${packages[@]}" >&2 || say "apt-get install ${packages[*]} failed"
}

# Run a command as the cluster's owner: postgres when we are root (the server refuses root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() {
    echo "postgresql://$ROLE:$(cat "$PG_DIR/password")@127.0.0.1:$(cat "$PG_DIR/port")/$DATABASE"
}

running() {
    [ -f "$PG_DIR/port" ] && [ -f "$PG_DIR/password" ] \
        && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
        && "$BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$PG_DIR/port")"
}

start_fresh() {
    local port password
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        say "no postgres user to run the server as"
        return 1
    fi
    # A stale cluster from an earlier machine state: stop what may run, then start over.
    [ -d "$DATA" ] && as_owner "$BIN/pg_ctl" -D "$DATA" stop -m immediate >/dev/null 2>&1
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR" || return 1
    port=$(free_port) || return 1
    password=$(python3 -c 'import secrets; print(secrets.token_hex(12))') || return 1
    echo "$port" >"$PG_DIR/port"
    echo "$password" >"$PG_DIR/password"
    chmod 600 "$PG_DIR/password"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$PG_DIR"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
        || { say "initdb failed: $(tail -n 3 "$PG_DIR/initdb.log")"; return 1; }
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PG_DIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null 2>&1 || { say "the server did not start: $(tail -n 3 "$PG_DIR/server.log")"; return 1; }
    as_owner "$BIN/psql" -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $ROLE LOGIN PASSWORD '$password'" \
        -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2 \
        || { say "could not create the role and database"; return 1; }
}

: >"$ENV_FILE"
install_missing
BIN=$(pg_bin)
if [ -z "$BIN" ]; then
    say "PostgreSQL is not installed"
    exit 1
fi
if running; then
    say "PostgreSQL already running on 127.0.0.1:$(cat "$PG_DIR/port")"
elif start_fresh; then
    say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$(cat "$PG_DIR/port")"
else
    say "PostgreSQL could not be started"
    exit 1
fi
echo "export LEGALBOT_TEST_POSTGRES=$(url)" >"$ENV_FILE"
for tool in nginx chromium; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { say "$tool is not installed"; exit 1; }
done
exit 0
