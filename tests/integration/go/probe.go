// A real Go client for the integration tests (tests/integration/test_go.py): Go lib/pq or pgx v4, as
// Debian packages them (golang-github-lib-pq-dev, golang-github-jackc-pgx-v4-dev), built offline in
// GOPATH mode against /usr/share/gocode.
//
// usage: probe pq|pgx DSN
// Prints "connects t" (TLS) / "connects f" (plaintext), or "fails MESSAGE"; exit 0 / 1.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v4"
	_ "github.com/lib/pq"
)

const query = "select ssl from pg_stat_ssl where pid = pg_backend_pid()"

func main() {
	if len(os.Args) != 3 {
		fmt.Println("fails usage: probe pq|pgx DSN")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ssl bool
	var err error
	switch os.Args[1] {
	case "pq":
		var db *sql.DB
		if db, err = sql.Open("postgres", os.Args[2]); err == nil {
			err = db.QueryRowContext(ctx, query).Scan(&ssl)
			db.Close()
		}
	case "pgx":
		var c *pgx.Conn
		if c, err = pgx.Connect(ctx, os.Args[2]); err == nil {
			err = c.QueryRow(ctx, query).Scan(&ssl)
			c.Close(ctx)
		}
	default:
		err = fmt.Errorf("unknown driver %q", os.Args[1])
	}
	if err != nil {
		fmt.Println("fails " + strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
	if ssl {
		fmt.Println("connects t")
	} else {
		fmt.Println("connects f")
	}
}
