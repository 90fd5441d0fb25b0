/*
 * drivers_doc.c - renders docs/drivers.md from the driver table of the
 * rules engine (lib/rules/drivers.c), so the documentation cannot drift
 * from what pgtls decides.  test_rules checks the committed file.
 */
#include <stdio.h>

#include "rules/rules.h"

void pgtls_test_drivers_doc(FILE *out);

static const char *
yes(bool b)
{
	return b ? "yes" : "no";
}

void
pgtls_test_drivers_doc(FILE *out)
{
	fprintf(out, "# What each driver does with TLS\n\n"
	             "Generated from the rules engine's driver table (`lib/rules/drivers.c`) by\n"
	             "`build/tests/unit/test_rules --drivers-doc`; `test_rules` fails when this file\n"
	             "is not the table.  `pgtls probe`, `pgtls clients` and `pgtls rotation` all\n"
	             "decide with the one function `pgtls__rules_decide()` (`lib/rules/rules.c`)\n"
	             "that reads this table; docs/sslmode-rules.md explains the libpq rules.\n\n");
	fprintf(out,
	        "| driver | recognised by | default sslmode | default root file | OS store by default | "
	        "root file makes require verify | root file makes prefer verify | only an explicit sslrootcert "
	        "upgrades | weak modes mean verify-full | sslrootcert=system needs verify-full | root file PEM only |\n"
	        "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "| `%s` (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d->name, d->label,
		        d->recognised_by, pgtls_sslmode_name(d->default_mode),
		        d->default_root_file ? "`~/.postgresql/root.crt`" : "none", yes(d->system_store_default),
		        yes(d->root_upgrades_require), yes(d->root_upgrades_prefer), yes(d->root_upgrade_explicit),
		        yes(d->weak_modes_verify_full), yes(d->system_verify_full_only), yes(d->root_pem_only));
	}
	fprintf(out, "\n## Errors the application shows\n\n| driver | untrusted chain | host name mismatch | "
	             "server refuses TLS | root file missing |\n|---|---|---|---|---|\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "| `%s` | %s | %s | %s | %s |\n", d->name, d->err_chain, d->err_host, d->err_no_ssl,
		        d->err_no_root);
	}
	fprintf(out, "\n## Notes and sources\n\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "- `%s`: %s. Source: %s.\n", d->name, d->notes, d->source);
	}
	fprintf(out, "\n## Client outcomes (`pgtls clients`, JSON `outcome`)\n\n"
	             "Each client's settings are fed to the rules engine against hypothetical\n"
	             "servers (honest; refusing TLS; requiring TLS; forging the chain; with\n"
	             "another name) and classified:\n\n"
	             "- `no_tls`: never encrypts (disable);\n"
	             "- `opportunistic`: TLS only when it works, else plaintext (allow, prefer);\n"
	             "- `encrypted_unverified`: TLS that verifies nothing (open to a man in the middle);\n"
	             "- `verifies_ca`: chain verified, any host name;\n"
	             "- `verifies_full`: chain and host name verified;\n"
	             "- `fails`: the settings cannot connect to any server (e.g. `sslrootcert=system`\n"
	             "  with a mode weaker than verify-full);\n"
	             "- `unknown`: the sslmode is not one the driver accepts.\n\n"
	             "A root file that does not exist on the scanned machine keeps the outcome the\n"
	             "settings ask for and is reported beside it (`failure: root_missing`).\n\n"
	             "## Rotation predictions (`pgtls rotation`, JSON `prediction`)\n\n"
	             "The same client facts are decided twice against its endpoint (the TARGET it\n"
	             "connects to): with the chain served now, and with the chain after the switch\n"
	             "(the served chain when the endpoint already serves the new CA; else whether\n"
	             "the client's trust anchors build a path to the new CA). The endpoint's\n"
	             "plaintext acceptance comes from its probe, so a `prefer` client whose\n"
	             "verification fails falls back where the server allows plaintext and breaks\n"
	             "where it does not.\n\n"
	             "- `already_broken`: fails now;\n"
	             "- `breaks`: works now, fails after the switch (with the driver's error);\n"
	             "- `falls_back_to_plaintext`: keeps connecting, silently without TLS;\n"
	             "- `unaffected_unverified`, `unaffected_no_tls`: keeps connecting, and never verified;\n"
	             "- `keeps_working`: verifies, and trusts the new chain;\n"
	             "- `unknown`: the trust store is not in the settings (JVM), the endpoint was not\n"
	             "  probed or not reachable.\n\n"
	             "`decision` is GO only when no client is `breaks`, `already_broken`,\n"
	             "`falls_back_to_plaintext` or `unknown` and every endpoint was reachable.\n\n"
	             "## Where settings are read\n\n"
	             "Conninfo strings, postgresql:// URIs, JDBC URLs, `.env` PG* variables,\n"
	             "`pg_service.conf`/`.pg_service.conf` (and with `--env` the service files libpq\n"
	             "reads: `PGSERVICEFILE` or `~/.pg_service.conf`, and `$PGSYSCONFDIR/pg_service.conf`),\n"
	             "Django `DATABASES` settings (first database of a file), Npgsql connection strings,\n"
	             "and with `--env` the PG* and *_URL environment variables.\n\n"
	             "Not covered yet: YAML nesting (JDBC URLs inside YAML are found), keyword\n"
	             "arguments such as `psycopg2.connect(host=..., sslmode=...)`, several Django\n"
	             "databases in one file.\n");
}
