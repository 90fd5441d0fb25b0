/*-------------------------------------------------------------------------
 *
 * readings.c
 *	  How each driver reads an application's settings (readings.h): the
 *	  effective sslmode, trust source and host check, from typed settings,
 *	  observations, PG* variables and the project's driver versions.
 *
 * IDENTIFICATION
 *	  lib/rules/readings.c
 *
 * NOTES
 *	  Each rule cites the driver source it follows; tests/unit/test_readings.c
 *	  pins them row by row, tests/integration/test_{clients,node,asyncpg}.py
 *	  against the real drivers.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rules/readings.h"

bool
pgtls__driver_libpq_family(pgtls_driver d)
{
	return d == PGTLS_DRIVER_LIBPQ || d == PGTLS_DRIVER_PSYCOPG || d == PGTLS_DRIVER_ASYNCPG || d == PGTLS_DRIVER_PGX ||
	       d == PGTLS_DRIVER_GO_PQ || d == PGTLS_DRIVER_GO_PQ_112;
}

static bool
at_least(const int v[2], int major, int minor)
{
	return v[0] > major || (v[0] == major && v[1] >= minor);
}

/* pgjdbc and Npgsql read sslmode case-insensitively; libpq does not */
static pgtls_sslmode
parse_mode(pgtls_driver driver, const char *mode)
{
	char low[32];
	size_t i;

	if (driver != PGTLS_DRIVER_PGJDBC && driver != PGTLS_DRIVER_NPGSQL)
		return pgtls_sslmode_parse(mode);
	for (i = 0; mode[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)mode[i]);
	low[i] = '\0';
	return mode[i] ? PGTLS_SSLMODE_INVALID : pgtls_sslmode_parse(low);
}

/* pgjdbc 42.2.5+ (SslMode.of(), MakeSSL): ssl=true, the factories, the host name verifier; MODE as written */
static const char *
read_pgjdbc(const pgtls_settings *s, pgtls_reading *out, const char *mode)
{
	const char *ssl = pgtls__settings_extra(s, "ssl");
	const char *factory = pgtls__settings_extra(s, "sslfactory");
	const char *hv = pgtls__settings_extra(s, "sslhostnameverifier");

	/* SslMode.of(): no sslmode, and ssl "true" (any case) or present without a value: verify-full */
	if (mode == NULL && ssl && (strcasecmp(ssl, "true") == 0 || ssl[0] == '\0'))
	{
		mode = "verify-full";
		out->mode_source = ssl[0] ? "pgjdbc: ssl=true means verify-full" : "pgjdbc: ssl (no value) means verify-full";
	}
	out->sslfactory = factory;
	/* MakeSSL.verifyPeerName(): a custom HostnameVerifier replaces PGjdbcHostnameVerifier */
	out->custom_host_check = hv && hv[0] && strstr(hv, "PGjdbcHostnameVerifier") == NULL;
	if (factory && strstr(factory, "NonValidatingFactory"))
	{
		if (mode == NULL)
			mode = "require", out->mode_source = "pgjdbc: NonValidatingFactory";
		out->trust = PGTLS_TRUST_DISABLED;
	}
	else if (factory && strstr(factory, "DefaultJavaSSLFactory"))
		out->trust = PGTLS_TRUST_JVM;
	return mode;
}

/*
 * pgjdbc before 42.2.5 (42.2.4's ConnectionFactoryImpl, MakeSSL,
 * LibPQFactory; CHANGELOG 42.2.5, CVE-2018-10936): no TLS without ssl or
 * sslmode; ssl=true takes the JVM's default SSLSocketFactory (chain, no
 * host name); only disable/require/verify-ca/verify-full are accepted;
 * verify-full checks the name only with LibPQFactory.
 */
static const char *
read_pgjdbc_old(const pgtls_settings *s, pgtls_reading *out)
{
	const char *mode = s->sslmode;
	const char *ssl = pgtls__settings_extra(s, "ssl");
	const char *factory = pgtls__settings_extra(s, "sslfactory");
	const char *hv = pgtls__settings_extra(s, "sslhostnameverifier");
	bool libpq_factory = factory == NULL || strstr(factory, "LibPQFactory") != NULL;

	out->sslfactory = factory;
	out->custom_host_check = hv && hv[0]; /* MakeSSL: any HostnameVerifier replaces LibPQFactory's check */
	if (factory && strstr(factory, "NonValidatingFactory"))
		out->trust = PGTLS_TRUST_DISABLED;
	else if (factory && strstr(factory, "DefaultJavaSSLFactory"))
		out->trust = PGTLS_TRUST_JVM;
	if (mode == NULL)
	{
		if (ssl == NULL || (strcasecmp(ssl, "true") != 0 && ssl[0] != '\0'))
		{
			out->mode_source = "pgjdbc before 42.2.5: neither ssl nor sslmode: no TLS";
			return "disable";
		}
		if (factory == NULL)
		{
			out->trust = PGTLS_TRUST_JVM;
			out->mode_source = "pgjdbc before 42.2.5: ssl=true uses the JVM's default SSLSocketFactory (chain "
			                   "checked against the JVM trust store, host name not checked)";
			return "verify-ca";
		}
		out->mode_source = "pgjdbc before 42.2.5: ssl=true with an sslfactory: that factory decides";
		return out->trust == PGTLS_TRUST_JVM ? "verify-ca" : "require";
	}
	if (strcmp(mode, "disable") && strcmp(mode, "require") && strcmp(mode, "verify-ca") && strcmp(mode, "verify-full"))
	{
		snprintf(out->bad_setting, sizeof(out->bad_setting),
		         "pgjdbc before 42.2.5 refuses sslmode=%.40s (ConnectionFactoryImpl: \"Invalid sslmode value\"): the "
		         "connection fails before it starts",
		         mode);
		return mode;
	}
	if (!libpq_factory && strcmp(mode, "verify-full") == 0)
		out->custom_host_check = true; /* CVE-2018-10936: MakeSSL checks the name only for LibPQFactory */
	return mode;
}

/* node-postgres: PGSSLMODE as pg reads it (connection-parameters.js readSSLConfigFromEnvironment) */
static const char *
node_env_mode(const pgtls_reading_in *in, pgtls_reading *out, bool pg7)
{
	const char *e = in->env ? in->env->sslmode : NULL;

	if (e == NULL || strcmp(e, "disable") == 0)
		return "disable";
	out->mode_source = "environment (PGSSLMODE)";
	if (strcmp(e, "no-verify") == 0 && !pg7)
		return "no-verify";
	if (strcmp(e, "prefer") && strcmp(e, "require") && strcmp(e, "verify-ca") && strcmp(e, "verify-full"))
		return "disable";
	return pg7 ? "require" : "verify-full"; /* ssl: true */
}

/* node-postgres uselibpqcompat=true (pg-connection-string 2.8.0+ parse()) */
static const char *
node_libpqcompat(const pgtls_settings *s, pgtls_reading *out, const char *mode)
{
	bool root = s->sslrootcert != NULL;

	out->driver = PGTLS_DRIVER_NODE_LIBPQCOMPAT;
	if (strcmp(mode, "prefer") == 0 || (strcmp(mode, "require") == 0 && !root))
	{
		out->trust = PGTLS_TRUST_DISABLED; /* rejectUnauthorized: false, and an ssl object never falls back */
		out->mode_source = "node-postgres uselibpqcompat: rejectUnauthorized false";
		return "require";
	}
	if (strcmp(mode, "require") == 0)
	{
		out->mode_source = "node-postgres uselibpqcompat: require with sslrootcert is verify-ca";
		return "verify-ca";
	}
	if (strcmp(mode, "verify-ca") == 0 && !root)
		/* pg-connection-string throws "SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA" */
		snprintf(out->bad_setting, sizeof(out->bad_setting),
		         "node-postgres (uselibpqcompat) refuses sslmode=verify-ca without sslrootcert: the connection "
		         "fails before it starts");
	return mode;
}

/*
 * node-postgres by the versions the project locks: pg 7 verifies nothing
 * unless rejectUnauthorized is true; pg-connection-string before 2.4
 * ignores a URL's sslmode; uselibpqcompat from 2.8 (node.c reads the
 * versions; docs/drivers.md)
 */
static const char *
read_node(const pgtls_reading_in *in, pgtls_reading *out, const char *mode)
{
	bool pg7 = in->node_pg[0] >= 0 && in->node_pg[0] < 8;
	bool pcs_old = !pg7 && in->node_pcs[0] >= 0 && !at_least(in->node_pcs, 2, 4);
	bool pcs_compat = in->node_pcs[0] < 0 || at_least(in->node_pcs, 2, 8);
	bool from_url = in->seen->url_sslmode && !in->seen->js_ssl_object;
	const char *compat = pgtls__settings_extra(in->settings, "uselibpqcompat");

	if (pg7)
		out->driver = PGTLS_DRIVER_NODE_PG7;
	if ((pg7 || pcs_old) && from_url)
		mode = NULL; /* pg-connection-string before 2.4.0: a URL's sslmode is not read */
	else if (in->settings->sslmode == NULL)
		mode = NULL;
	if (mode == NULL)
		mode = node_env_mode(in, out, pg7);
	if (pg7 && strcmp(mode, "disable") && !in->seen->reject_unauthorized)
	{
		out->trust = PGTLS_TRUST_DISABLED; /* rejectUnauthorized undefined: tls.connect verifies nothing */
		return "require";
	}
	if (!pg7 && !pcs_old && compat && strcmp(compat, "true") == 0 && pcs_compat)
		return node_libpqcompat(in->settings, out, mode);
	return mode;
}

/*
 * Prisma (prisma-engines quaint url.rs): sslmode disable/prefer/require,
 * anything else read as prefer; sslaccept defaults to accepting any
 * certificate; with sslaccept=strict, sslcert is the root file, relative
 * to the schema; libpq's sslrootcert is not read
 */
static const char *
read_prisma(const pgtls_settings *s, pgtls_reading *out, const char *mode)
{
	const char *m = s->sslmode;
	const char *accept = pgtls__settings_extra(s, "sslaccept");

	if (m && strcmp(m, "disable") && strcmp(m, "prefer") && strcmp(m, "require"))
	{
		/* quaint: "Unsupported SSL mode, defaulting to `prefer`" */
		snprintf(out->note, sizeof(out->note),
		         "Prisma reads sslmode=%.40s as prefer (it knows disable, prefer and require only)", m);
		mode = "prefer";
		out->mode_source = "Prisma reads only disable, prefer and require: this sslmode is read as prefer";
	}
	out->root = NULL;
	if (accept == NULL || strcmp(accept, "accept_invalid_certs") == 0)
	{
		out->trust = PGTLS_TRUST_DISABLED; /* danger_accept_invalid_certs(true) */
		return mode;
	}
	if (s->sslcert)
	{
		out->root = s->sslcert;
		out->root_schema_relative = true;
	}
	return mode;
}

/* the root file the settings name: sslrootcert, else PGSSLROOTCERT for the libpq family */
static void
explicit_root(const pgtls_reading_in *in, pgtls_reading *out, bool libpq_family)
{
	out->root = in->settings->sslrootcert;
	out->root_source = "explicit";
	if (out->root == NULL && in->env && libpq_family && in->env->sslrootcert)
	{
		out->root = in->env->sslrootcert;
		out->root_source = "environment (PGSSLROOTCERT)";
	}
}

void
pgtls__driver_read(const pgtls_reading_in *in, pgtls_reading *out)
{
	bool libpq_family = pgtls__driver_libpq_family(in->driver);
	const char *mode;

	memset(out, 0, sizeof(*out));
	out->driver = in->driver;
	out->trust = PGTLS_TRUST_FILE;
	snprintf(out->bad_setting, sizeof(out->bad_setting), "%s", in->seen->bad_setting);
	explicit_root(in, out, libpq_family);
	out->mode_source = "explicit";
	if (in->driver == PGTLS_DRIVER_PGJDBC_OLD)
		mode = read_pgjdbc_old(in->settings, out);
	else
	{
		mode = in->settings->sslmode;
		if (mode == NULL && in->env && libpq_family && in->env->sslmode)
		{
			mode = in->env->sslmode;
			out->mode_source = "environment (PGSSLMODE)";
		}
		if (in->driver == PGTLS_DRIVER_PGJDBC)
			mode = read_pgjdbc(in->settings, out, mode);
		/* node-postgres ssl.checkServerIdentity (read_js.c): the application's own host name check */
		if (in->seen->custom_host_check)
			out->custom_host_check = true;
		if (in->driver == PGTLS_DRIVER_NPGSQL && pgtls__settings_extra(in->settings, "trustservercertificate") &&
		    strcasecmp(pgtls__settings_extra(in->settings, "trustservercertificate"), "true") == 0)
			out->trust = PGTLS_TRUST_DISABLED;
		if (mode == NULL)
		{
			mode = pgtls_sslmode_name(pgtls__driver_rules(in->driver)->default_mode);
			out->mode_source = "driver default";
		}
	}
	if (in->driver == PGTLS_DRIVER_NODE_POSTGRES)
		mode = read_node(in, out, mode);
	else if (in->driver == PGTLS_DRIVER_PRISMA)
		mode = read_prisma(in->settings, out, mode);
	out->mode = mode;
	if (out->driver == PGTLS_DRIVER_NODE_POSTGRES && strcmp(mode, "no-verify") == 0)
	{
		/* node-postgres: encrypt, verify nothing */
		out->sslmode = PGTLS_SSLMODE_REQUIRE;
		out->trust = PGTLS_TRUST_DISABLED;
	}
	else
		out->sslmode = parse_mode(out->driver, mode);
}
