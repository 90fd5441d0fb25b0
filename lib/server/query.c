/*-------------------------------------------------------------------------
 *
 * query.c
 *	  libpq queries bounded by a deadline: a server that stops answering
 *	  after the login must not hang pgtls server or pgtls connections.
 *
 * IDENTIFICATION
 *	  lib/server/query.c
 *
 * NOTES
 *	  statement_timeout only helps while the server works; a server (or a
 *	  proxy) that accepted the query and went silent is handled here: the
 *	  query is sent with PQsendQueryParams() and the socket is polled until
 *	  the result or the deadline, then the query is cancelled.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "server/server_int.h"

PGresult *
pgtls__query(PGconn *conn, const char *sql, int nparams, const char *const *params, int timeout_s, pgtls_errslot *err)
{
	int64_t deadline = pgtls_now_ms() + (int64_t)(timeout_s > 0 ? timeout_s : 10) * 1000;
	PGresult *last = NULL, *r;

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
	{
		pgtls__seterr(err, PGTLS_ERR_IO, "could not send a query: %s", PQerrorMessage(conn));
		return NULL;
	}
	for (;;)
	{
		struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
		int64_t left;
		int rc;

		while (!PQisBusy(conn))
		{
			if ((r = PQgetResult(conn)) == NULL)
				return last;
			PQclear(last);
			last = r;
		}
		left = deadline - pgtls_now_ms();
		rc = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
		{
			PGcancel *cancel = PQgetCancel(conn);
			char buf[64];

			if (cancel)
			{
				(void)PQcancel(cancel, buf, sizeof(buf));
				PQfreeCancel(cancel);
			}
			PQclear(last);
			pgtls__seterr(err, PGTLS_ERR_TIMEOUT, "the server did not answer a query within %d s",
			              timeout_s > 0 ? timeout_s : 10);
			return NULL;
		}
		if (!PQconsumeInput(conn))
		{
			PQclear(last);
			pgtls__seterr(err, PGTLS_ERR_IO, "lost the connection: %s", PQerrorMessage(conn));
			return NULL;
		}
	}
}
