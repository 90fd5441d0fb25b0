# pgharness.sh - throwaway PostgreSQL 15 with TLS on 127.0.0.1, for tests.
#
# Source this file, then:
#   pgh_start DIR PORT CERT [HBA]   init + start a cluster in DIR serving
#                                   PKI certificate CERT (see gen-pki.sh),
#                                   HBA one of: both (default), hostssl, nossl
#   pgh_cert CERT                   swap the served certificate, pg_ctl reload
#   pgh_hba MODE                    rewrite pg_hba.conf, pg_ctl reload
#   pgh_ssl on|off                  toggle ssl, pg_ctl reload
#   pgh_stop                        stop and remove the cluster
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

pgh_reload() {
    if [ -f "$PGH_DATA/postmaster.pid" ]; then
        pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" reload -s >/dev/null
        # reload is asynchronous: wait until the postmaster has re-read its files
        local i
        for i in $(seq 1 50); do
            if pgh_as "$PGBIN/psql" -h "$PGH_DIR" -p "$PGH_PORT" -U postgres -d postgres -Atqc \
                "select pg_conf_load_time() > '$PGH_STAMP'::timestamptz" 2>/dev/null | grep -q t; then
                break
            fi
            sleep 0.05
        done
        PGH_STAMP=$(pgh_as "$PGBIN/psql" -h "$PGH_DIR" -p "$PGH_PORT" -U postgres -d postgres -Atqc "select pg_conf_load_time()")
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
EOF
    PGH_STAMP='-infinity'
    pgh_cert "$cert"
    pgh_hba "$hba"
    pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" -l "$PGH_DIR/server.log" -w -s start \
        || { cat "$PGH_DIR/server.log" >&2; return 1; }
    PGH_STAMP=$(pgh_as "$PGBIN/psql" -h "$PGH_DIR" -p "$PGH_PORT" -U postgres -d postgres -Atqc "select pg_conf_load_time()")
}

pgh_stop() {
    if [ -n "${PGH_DATA:-}" ] && [ -f "$PGH_DATA/postmaster.pid" ]; then
        pgh_as "$PGBIN/pg_ctl" -D "$PGH_DATA" -m immediate -s stop >/dev/null 2>&1 || true
    fi
}
