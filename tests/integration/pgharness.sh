#!/usr/bin/env bash
# pgharness.sh - throwaway PostgreSQL 15 with TLS on 127.0.0.1, for tests.
#
# Source this file, then:
#   pgh_start DIR PORT CERT [HBA]   init + start a cluster in DIR serving
#                                   ($PGH_EXTRA_CONF is appended to postgresql.conf)
#                                   PKI certificate CERT (see gen-pki.sh),
#                                   HBA one of: both (default), hostssl, nossl
#   pgh_cert CERT                   swap the served certificate, pg_ctl reload
#   pgh_hba MODE                    rewrite pg_hba.conf, pg_ctl reload
#   pgh_ssl on|off                  toggle ssl, pg_ctl reload
#   pgh_hbafile FILE                install FILE as pg_hba.conf, pg_ctl reload
#   pgh_conf KEY VALUE              set a postgresql.conf setting (VALUE quoted), reload
#   pgh_sql SQL                     run SQL as postgres over the Unix socket
#   pgh_stop                        stop the cluster
#   pgh_attach DIR PORT             later shells: act on a running cluster
# As a command: pgharness.sh start|cert|hba|hbafile|conf|sql|ssl|stop DIR PORT [ARG...]
# Needs PGTLS_PKI (directory made by gen-pki.sh).  PostgreSQL refuses to run
# as root, so when we are root the server runs as the "postgres" user.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

pgh_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pgh_hba() {
    local mode=$1
    {
        echo "local all all trust"
        case "$mode" in
            both)    echo "host all all 127.0.0.1/32 trust" ;;
            hostssl) echo "hostssl all all 127.0.0.1/32 trust"
                     echo "hostnossl all all 127.0.0.1/32 reject" ;;
            nossl)   echo "hostnossl all all 127.0.0.1/32 trust" ;;
            *) echo "pgh_hba: bad mode $mode" >&2; return 1 ;;
        esac
    } > "$PGH_DATA/pg_hba.conf"
    pgh_reload
}

pgh_hbafile() {
    install -m 0600 -o "$(stat -c %u "$PGH_DATA")" "$1" "$PGH_DATA/pg_hba.conf"
    pgh_reload
}

pgh_conf() {
    local key=$1 value=$2
    sed -i "/^$key = /d" "$PGH_DATA/postgresql.conf"
    printf "%s = '%s'\n" "$key" "$value" >> "$PGH_DATA/postgresql.conf"
    pgh_reload
}

pgh_sql() {
    pgh_psql "$1" >/dev/null
}

pgh_psql() {
    pgh_as "$PGBIN/psql" -X -h "$PGH_DIR" -p "$PGH_PORT" -U postgres -d postgres -Atqc "$1"
}

pgh_reload() {
    if [ -f "$PGH_DATA/postmaster.pid" ]; then
        local before i
        before=$(pgh_psql "select pg_conf_load_time()")
        pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" reload -s >/dev/null
        # reload is asynchronous: wait until the postmaster has re-read its files
        for i in $(seq 1 100); do
            if [ "$(pgh_psql "select pg_conf_load_time() > '$before'::timestamptz" 2>/dev/null)" = t ]; then
                return 0
            fi
            sleep 0.05
        done
        echo "pgh_reload: server did not reload" >&2
        return 1
    fi
}

pgh_cert() {
    local name=$1
    install -m 0644 -o "$(stat -c %u "$PGH_DATA")" "$PGTLS_PKI/server-$name.chain.crt" "$PGH_DATA/server.crt"
    install -m 0600 -o "$(stat -c %u "$PGH_DATA")" "$PGTLS_PKI/server-$name.key" "$PGH_DATA/server.key"
    pgh_reload
}

pgh_ssl() {
    sed -i "s/^ssl = .*/ssl = $1/" "$PGH_DATA/postgresql.conf"
    pgh_reload
}

pgh_start() {
    PGH_DIR=$1 PGH_PORT=$2
    local cert=$3 hba=${4:-both}
    PGH_DATA=$PGH_DIR/data
    mkdir -p "$PGH_DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$PGH_DIR"
        chmod 0755 "$PGH_DIR"
    fi
    pgh_as "$PGBIN/initdb" -D "$PGH_DATA" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$PGH_DIR/initdb.log" 2>&1 \
        || { cat "$PGH_DIR/initdb.log" >&2; return 1; }
    cat >> "$PGH_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGH_PORT
unix_socket_directories = '$PGH_DIR'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
log_connections = on
logging_collector = off
fsync = off
max_connections = 40
${PGH_EXTRA_CONF:-}
EOF
    pgh_cert "$cert"
    pgh_hba "$hba"
    pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" -l "$PGH_DIR/server.log" -w -s start \
        || { cat "$PGH_DIR/server.log" >&2; return 1; }
}

# pgh_attach DIR PORT: use a cluster started by pgh_start in another shell
pgh_attach() {
    PGH_DIR=$1 PGH_PORT=$2 PGH_DATA=$1/data
}

pgh_stop() {
    if [ -n "${PGH_DATA:-}" ] && [ -f "$PGH_DATA/postmaster.pid" ]; then
        pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" -m immediate -s stop >/dev/null 2>&1 || true
    fi
}

# command-line use, for test drivers written in other languages
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    cmd=$1 dir=$2 port=$3
    shift 3
    case "$cmd" in
        start) pgh_start "$dir" "$port" "$@" ;;
        cert|hba|hbafile|conf|sql|ssl) pgh_attach "$dir" "$port"; "pgh_$cmd" "$@" ;;
        stop) pgh_attach "$dir" "$port"; pgh_stop ;;
        *) echo "usage: pgharness.sh start|cert|hba|hbafile|conf|sql|ssl|stop DIR PORT [ARG...]" >&2; exit 2 ;;
    esac
fi
