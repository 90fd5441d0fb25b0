/*-------------------------------------------------------------------------
 *
 * rotation_words.c
 *	  Sentences for people about a rotation prediction (the driver's
 *	  error, when it shows, the fix), and the typed accessors.
 *
 * IDENTIFICATION
 *	  lib/rotation/rotation_words.c
 *
 * NOTES
 *	  Words are made from the typed prediction here, at the edge; nothing
 *	  decides on them.  Fixes are safe before and after the switch: they
 *	  add the new CA and keep the old one.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "rotation/rotation_int.h"
#include "probe/results.h"

static const pgtls_failure *
first_failure(const pgtls_outcome *o)
{
	return o->nerrors > 0 ? &o->errors[0] : NULL;
}

/*
 * The server's rejection of the probe's plaintext startup as the client
 * will see it: pg_hba's message names the user and database of the
 * connection, so the probe's are replaced by the client's own when its
 * settings name them (a database left unset is the user's name, as in
 * libpq).
 */
static void
client_message(const client_rec *r, const pgtls_probe *ep, char *out, size_t outlen)
{
	const char *msg = ep ? pgtls_probe_get(ep, PGTLS_PF_PLAINTEXT_MESSAGE) : "";
	/* no user in its settings: libpq's default is the OS user it runs as, not the probe's */
	const char *user = r->user ? pgtls__client_shown(r, CL_HIDE_USER, r->user) : "(the user it runs as)";
	const char *db = r->dbname ? pgtls__client_shown(r, CL_HIDE_DBNAME, r->dbname) : user;
	const char *u = strstr(msg, ", user \""), *ue = u ? strchr(u + 8, '"') : NULL;
	const char *d = ue ? strstr(ue, ", database \"") : NULL, *de = d ? strchr(d + 12, '"') : NULL;

	if (de == NULL)
	{
		snprintf(out, outlen, "%s", msg);
		return;
	}
	snprintf(out, outlen, "%.*s, user \"%s\", database \"%s%s", (int)(u - msg), msg, user, db, de);
}

static void
error_words(const rot_client *rc, const pgtls_outcome *o, const pgtls_probe *ep, char *out, size_t outlen)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(rc->rec->driver);
	const pgtls_failure *f = first_failure(o);

	out[0] = '\0';
	if (f == NULL)
		return;
	switch (*f)
	{
		case PGTLS_FAIL_CHAIN:
		case PGTLS_FAIL_NO_SSL_SUPPORT:
			snprintf(out, outlen, "%s", pgtls__driver_error(d, *f));
			break;
		case PGTLS_FAIL_HOSTNAME:
			snprintf(out, outlen, "server certificate does not match host name (DNS alias): %s",
			         pgtls__driver_error(d, *f));
			break;
		case PGTLS_FAIL_ROOT_MISSING:
		case PGTLS_FAIL_NO_HOME:
			snprintf(out, outlen, "root certificate file does not exist (%s)", pgtls__driver_error(d, *f));
			break;
		case PGTLS_FAIL_REJECTED_PLAIN:
			snprintf(out, outlen, "server rejected the connection without TLS: ");
			client_message(rc->rec, ep, out + strlen(out), outlen - strlen(out));
			break;
		case PGTLS_FAIL_WEAK_SYSTEM:
			snprintf(out, outlen, "weak sslmode \"%s\" may not be used with sslrootcert=system (use \"verify-full\")",
			         pgtls_sslmode_name(rc->rec->sslmode));
			break;
		default:
			snprintf(out, outlen, "%s", pgtls_failure_name(*f));
			break;
	}
	/* prefer: the TLS failure, then the server's rejection of the plaintext retry */
	if (o->nerrors > 1 && o->errors[o->nerrors - 1] == PGTLS_FAIL_REJECTED_PLAIN && *f != PGTLS_FAIL_REJECTED_PLAIN &&
	    ep)
	{
		snprintf(out + strlen(out), outlen - strlen(out), "; then, retrying without TLS: ");
		client_message(rc->rec, ep, out + strlen(out), outlen - strlen(out));
	}
}

/* PATH as one shell word: as is when it has only safe characters, else in single quotes */
static const char *
shq(const char *path, char *buf, size_t len)
{
	size_t n = 0;

	if (path[strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+=,-")] == '\0' ||
	    path[0] == '"')
		return path;
	buf[n++] = '\'';
	for (const char *p = path; *p && n + 5 < len; p++)
		if (*p == '\'')
			n += (size_t)snprintf(buf + n, len - n, "'\\''");
		else
			buf[n++] = *p;
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

static const char *
root_path(const client_rec *r)
{
	return r->rootcert ? r->rootcert : "ROOTFILE";
}

static void
fix_words(const pgtls_rotation *rot, rot_client *rc)
{
	const client_rec *r = rc->rec;
	const char *path = root_path(r), *newca;
	char qpath[2100], qnew[2100], qold[2100];
	size_t n;

	if (r->trust == PGTLS_TRUST_JVM)
		path = r->jvm_store ? r->jvm_store : "\"$JAVA_HOME/lib/security/cacerts\"";
	path = shq(path, qpath, sizeof(qpath));
	newca = shq(rot->new_ca_path, qnew, sizeof(qnew));
	switch (rc->prediction)
	{
		case PGTLS_PREDICT_ALREADY_BROKEN:
			if (first_failure(&rc->now) && r->rootcert &&
			    (*first_failure(&rc->now) == PGTLS_FAIL_ROOT_MISSING || *first_failure(&rc->now) == PGTLS_FAIL_NO_HOME))
				snprintf(rc->fix, sizeof(rc->fix), "pgtls store merge -o %s --store-format pem %s%s%s", path,
				         rot->old_ca_path ? shq(rot->old_ca_path, qold, sizeof(qold)) : "", rot->old_ca_path ? " " : "",
				         newca);
			break;
		case PGTLS_PREDICT_UNAFFECTED_UNVERIFIED:
			snprintf(
			    rc->fix, sizeof(rc->fix),
			    "not a rotation risk, but open to impersonation: set sslmode=verify-full and sslrootcert to a bundle "
			    "with %s",
			    newca);
			break;
		case PGTLS_PREDICT_FALLS_BACK:
			snprintf(
			    rc->fix, sizeof(rc->fix),
			    "add the new CA, keeping the old: pgtls store merge -o %s --store-format pem --force %s %s; and use "
			    "sslmode=verify-full",
			    path, path, newca);
			break;
		case PGTLS_PREDICT_UNKNOWN:
			if ((r->failure == PGTLS_FAIL_ROOT_MISSING || r->failure == PGTLS_FAIL_NO_HOME) && r->rootcert)
				snprintf(rc->fix, sizeof(rc->fix),
				         "where the application runs, %s must hold the old and the new CA: there, pgtls store merge "
				         "-o %s --store-format pem --force %s %s (or say where it runs: --apps)",
				         path, path, path, newca);
			else if (r->trust == PGTLS_TRUST_JVM && r->jvm_store == NULL)
				/* every certificate of the file goes in (keytool -importcert would take the first only) */
				snprintf(rc->fix, sizeof(rc->fix),
				         "pgtls store merge -o %s --force %s %s; then restart the JVM (it reads its trust store at "
				         "start-up; the JVM's default store, unless -Djavax.net.ssl.trustStore names another)",
				         path, path, newca);
			break;
		case PGTLS_PREDICT_BREAKS:
			/* merging into the existing store keeps its format, its mode and the old CA */
			if (r->trust == PGTLS_TRUST_JVM)
				snprintf(rc->fix, sizeof(rc->fix),
				         "%spgtls store merge -o %s --force %s %s; then restart the JVM (it reads its trust store at "
				         "start-up)%s%s%s",
				         r->jvm_store_pw_at
				             ? "PGTLS_STORE_PASSWORD=\"$STOREPASS\" PGTLS_STORE_IN_PASSWORD=\"$STOREPASS\" "
				             : "",
				         path, path, newca,
				         r->jvm_store_pw_at ? "; STOREPASS is the -Djavax.net.ssl.trustStorePassword of " : "",
				         r->jvm_store_pw_at ? r->jvm_store_pw_at : "",
				         r->jvm_store_pw_at ? " (the store keeps it; pgtls prints no password)" : "");
			else if (r->trust == PGTLS_TRUST_FILE)
				snprintf(rc->fix, sizeof(rc->fix), "pgtls store merge -o %s --force %s %s", path, path, newca);
			else if (r->trust == PGTLS_TRUST_SYSTEM && (r->system_file || r->extra_ca))
				/* SSL_CERT_FILE or NODE_EXTRA_CA_CERTS: the file the process adds or uses, read at start-up */
				snprintf(rc->fix, sizeof(rc->fix),
				         "pgtls store merge -o %s --force %s %s; then restart the application (it reads the file at "
				         "start-up)",
				         shq(r->system_file ? r->system_file : r->extra_ca, qold, sizeof(qold)),
				         shq(r->system_file ? r->system_file : r->extra_ca, qold, sizeof(qold)), newca);
			break;
		default:
			break;
	}
	if (rc->alias && r->host)
	{
		n = strlen(rc->fix);
		snprintf(rc->fix + n, sizeof(rc->fix) - n,
		         "%sconnect by a name in the certificate, or reissue it with \"%s\" as a subjectAltName", n ? "; " : "",
		         r->host);
	}
}

void
pgtls__rotation_words(const pgtls_rotation *rot, rot_client *rc)
{
	const pgtls_probe *ep = rc->endpoint >= 0 ? rot->eps[rc->endpoint].probe : NULL;

	if (rc->prediction == PGTLS_PREDICT_ALREADY_BROKEN)
		error_words(rc, &rc->now, ep, rc->error, sizeof(rc->error));
	else if (rc->prediction == PGTLS_PREDICT_BREAKS)
		error_words(rc, &rc->after, ep, rc->error, sizeof(rc->error));
	else if (rc->prediction == PGTLS_PREDICT_FALLS_BACK)
		snprintf(rc->error, sizeof(rc->error), "(no error: the driver retries without TLS)");
	if (rc->prediction == PGTLS_PREDICT_BREAKS || rc->prediction == PGTLS_PREDICT_FALLS_BACK)
		/* pgjdbc's LibPQFactory reads sslrootcert at each connection; the JVM's default trust store is read once */
		rc->when = rc->rec->trust == PGTLS_TRUST_JVM
		               ? "at the next new connection after the switch (pooled connections: at their next reconnect); "
		                 "a running JVM keeps the trust store it read at start-up: restart it after updating the store"
		               : "at the next new connection after the switch (pooled connections: at their next reconnect)";
	fix_words(rot, rc);
}

/* what the client does today against its server: "fails" when it fails there, else what its settings do */
const char *
pgtls__rotation_now(const rot_client *rc)
{
	return pgtls_outcome_name(rc->prediction == PGTLS_PREDICT_ALREADY_BROKEN ? PGTLS_OUTCOME_FAILS : rc->rec->outcome);
}

/* ---- typed accessors ---- */

static const rot_client *
client_at(const pgtls_rotation *rot, int i)
{
	return (rot && i >= 0 && i < rot->ncls) ? &rot->cls[i] : NULL;
}

int
pgtls_rotation_go(const pgtls_rotation *rot)
{
	return rot && rot->done && rot->go;
}

int
pgtls_rotation_nendpoints(const pgtls_rotation *rot)
{
	return rot ? rot->neps : 0;
}

const char *
pgtls_rotation_endpoint_target(const pgtls_rotation *rot, int i)
{
	if (rot == NULL || i < 0 || i >= rot->neps)
		return "";
	return pgtls_probe_get(rot->eps[i].probe, PGTLS_PF_TARGET);
}

int
pgtls_rotation_endpoint_reachable(const pgtls_rotation *rot, int i)
{
	return rot && i >= 0 && i < rot->neps && rot->eps[i].reachable;
}

int
pgtls_rotation_endpoint_on_new_ca(const pgtls_rotation *rot, int i)
{
	return (rot && i >= 0 && i < rot->neps) ? rot->eps[i].on_new : -1;
}

int
pgtls_rotation_endpoint_discovered(const pgtls_rotation *rot, int i)
{
	return rot && i >= 0 && i < rot->neps && rot->eps[i].discovered;
}

const char *
pgtls_rotation_endpoint_same_as(const pgtls_rotation *rot, int i)
{
	if (rot == NULL || i < 0 || i >= rot->neps || rot->eps[i].same_as < 0)
		return "";
	return pgtls_probe_get(rot->eps[rot->eps[i].same_as].probe, PGTLS_PF_TARGET);
}

int
pgtls_rotation_nclients(const pgtls_rotation *rot)
{
	return rot ? rot->ncls : 0;
}

const char *
pgtls_rotation_client_get(const pgtls_rotation *rot, int i, pgtls_rotation_field field)
{
	const rot_client *rc = client_at(rot, i);

	if (rc == NULL)
		return "";
	switch (field)
	{
		case PGTLS_RF_FILE:
			return rc->rec->file ? rc->rec->file : "";
		case PGTLS_RF_HOST:
			return rc->rec->host ? pgtls__client_shown(rc->rec, CL_HIDE_HOST, rc->rec->host) : "";
		case PGTLS_RF_ENDPOINT:
			return rc->endpoint >= 0 ? pgtls_probe_get(rot->eps[rc->endpoint].probe, PGTLS_PF_TARGET) : "";
		case PGTLS_RF_NOW:
			return pgtls__rotation_now(rc);
		case PGTLS_RF_ERROR:
			return rc->error;
		case PGTLS_RF_WHEN:
			return rc->when ? rc->when : "";
		case PGTLS_RF_REASON:
			return rc->reason;
		case PGTLS_RF_FIX:
			return rc->fix;
		case PGTLS_RF_BASIS:
			return rc->observed ? "observed" : "inferred";
		case PGTLS_RF_INFERRED:
			return pgtls_prediction_name(rc->inferred);
	}
	return "";
}

int
pgtls_rotation_client_line(const pgtls_rotation *rot, int i)
{
	const rot_client *rc = client_at(rot, i);

	return rc ? rc->rec->line : 0;
}

pgtls_driver
pgtls_rotation_client_driver(const pgtls_rotation *rot, int i)
{
	const rot_client *rc = client_at(rot, i);

	return rc ? rc->rec->driver : PGTLS_DRIVER_LIBPQ;
}

pgtls_prediction
pgtls_rotation_client_prediction(const pgtls_rotation *rot, int i)
{
	const rot_client *rc = client_at(rot, i);

	return rc ? rc->prediction : PGTLS_PREDICT_UNKNOWN;
}

/* 0 GO; 2 NO-GO (a client breaks, falls back, cannot be told, or an endpoint is unreachable); 3 not run */
int
pgtls_rotation_status(const pgtls_rotation *rot)
{
	if (rot == NULL || !rot->done)
		return 3;
	return rot->go ? 0 : 2;
}

int
pgtls_rotation_observed_unattributed(const pgtls_rotation *rot)
{
	return rot ? rot->unattributed_bad : 0;
}
