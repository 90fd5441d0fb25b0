/*-------------------------------------------------------------------------
 *
 * impostor.c
 *	  pgtls impostor: the decoy object, its listener and the loop the
 *	  caller drives (pgtls_impostor_poll()).
 *
 * IDENTIFICATION
 *	  lib/impostor/impostor.c
 *
 * NOTES
 *	  Bounded everywhere: connections at once (more are closed unheard
 *	  and counted), time per connection, sessions listed (more are
 *	  counted by verdict only).  Listens only where told; a bare port is
 *	  loopback.  Forwards nothing.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "impostor/impostor_int.h"
#include "x509/cert_int.h"

#define RETRY_WINDOW_MS 2000     /* a driver's retry follows the refused attempt within milliseconds */
#define ANON_RETRY_WINDOW_MS 200 /* ... tighter when the refused attempt told no identity */
#define ACCEPTS_PER_POLL 32

static const char *const mode_names[PGTLS_DECOY_MODE_COUNT] = {"forged",       "no-tls",    "wrong-name", "expired",
                                                               "untrusted-ca", "new-chain", "relay"};
static const char *const verdict_names[PGTLS_DECOY_VERDICT_COUNT] = {"rejected_decoy",       "inconclusive",
                                                                     "no_tls_requested",     "fell_back_to_plaintext",
                                                                     "accepted_forged_cert", "sent_password_to_decoy"};

const char *
pgtls_decoy_mode_name(pgtls_decoy_mode mode)
{
	return (unsigned)mode < PGTLS_DECOY_MODE_COUNT ? mode_names[mode] : "unknown";
}

int
pgtls_decoy_mode_parse(const char *s, pgtls_decoy_mode *out)
{
	for (int i = 0; s && i < PGTLS_DECOY_MODE_COUNT; i++)
		if (strcmp(s, mode_names[i]) == 0)
		{
			*out = (pgtls_decoy_mode)i;
			return 0;
		}
	return -1;
}

const char *
pgtls_decoy_verdict_name(pgtls_decoy_verdict verdict)
{
	return (unsigned)verdict < PGTLS_DECOY_VERDICT_COUNT ? verdict_names[verdict] : "unknown";
}

pgtls_impostor *
pgtls_impostor_new(void)
{
	pgtls_impostor *imp = calloc(1, sizeof(*imp));

	if (imp == NULL)
		return NULL;
	imp->lfd = -1;
	imp->timeout_ms = DECOY_DEFAULT_TIMEOUT_MS;
	imp->max_concurrent = DECOY_DEFAULT_CONCURRENT;
	imp->max_records = DECOY_DEFAULT_RECORDS;
	return imp;
}

void
pgtls_impostor_free(pgtls_impostor *imp)
{
	if (imp == NULL)
		return;
	pgtls_impostor_stop(imp);
	pgtls__decoy_forge_clear(&imp->forge);
	pgtls__relay_clear(&imp->relay);
	SSL_CTX_free(imp->ctx);
	pgtls__cert_free(imp->leaf_cert);
	free(imp->conns);
	free(imp->sessions);
	free(imp);
}

pgtls_err
pgtls_impostor_set_mode(pgtls_impostor *imp, pgtls_decoy_mode mode)
{
	if ((unsigned)mode >= PGTLS_DECOY_MODE_COUNT)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "unknown decoy mode %d", (int)mode);
	imp->mode = mode;
	return PGTLS_OK;
}

pgtls_decoy_mode
pgtls_impostor_mode(const pgtls_impostor *imp)
{
	return imp->mode;
}

pgtls_err
pgtls_impostor_set_option(pgtls_impostor *imp, pgtls_impostor_opt opt, long value)
{
	switch (opt)
	{
		case PGTLS_IMP_SESSION_TIMEOUT_MS:
			if (value < 100 || value > 3600000)
				break;
			imp->timeout_ms = (int)value;
			return PGTLS_OK;
		case PGTLS_IMP_MAX_CONCURRENT:
			if (value < 1 || value > 1024)
				break;
			imp->max_concurrent = (int)value;
			return PGTLS_OK;
		case PGTLS_IMP_MAX_RECORDS:
			if (value < 1 || value > 1000000)
				break;
			imp->max_records = (int)value;
			return PGTLS_OK;
	}
	return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "impostor option %d: value %ld out of range", (int)opt, value);
}

pgtls_err
pgtls_impostor_add_name(pgtls_impostor *imp, const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) > 253 || strpbrk(name, ",:/ \t\r\n") != NULL)
	{
		unsigned char b[16];

		/* an IPv6 address has colons */
		if (name == NULL || strpbrk(name, ", \t\r\n/") != NULL || inet_pton(AF_INET6, name, b) != 1)
			return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "not a host name or IP address: \"%.80s\"",
			                     name ? name : "");
	}
	if (imp->forge.nnames >= DECOY_MAX_NAMES)
		return pgtls__seterr_hint(&imp->err, PGTLS_ERR_USAGE, PGTLS_HINT_TOO_MANY, "at most %d names", DECOY_MAX_NAMES);
	for (int i = 0; i < imp->forge.nnames; i++)
		if (strcmp(imp->forge.names[i], name) == 0)
			return PGTLS_OK;
	imp->forge.names[imp->forge.nnames] = strdup(name);
	if (imp->forge.names[imp->forge.nnames] == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
	imp->forge.nnames++;
	return PGTLS_OK;
}

/* the default names: the listen host, and localhost with its addresses on loopback */
static pgtls_err
default_names(pgtls_impostor *imp, const char *host, const struct sockaddr *sa)
{
	bool loop = (sa->sa_family == AF_INET && (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127) ||
	            (sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr));
	bool any = (sa->sa_family == AF_INET && ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY)) ||
	           (sa->sa_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr));
	pgtls_err rc = PGTLS_OK;

	if (imp->forge.nnames > 0 || imp->forge.like_leaf)
		return PGTLS_OK;
	if (!any)
		rc = pgtls_impostor_add_name(imp, host);
	if (rc == PGTLS_OK && (loop || any))
		rc = pgtls_impostor_add_name(imp, "localhost");
	if (rc == PGTLS_OK && (loop || any))
		rc = pgtls_impostor_add_name(imp, "127.0.0.1");
	return rc;
}

/* "host:port", "[v6]:port", ":port", "port" -> HOST (loopback when empty), PORT */
static bool
split_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hn;

	if (colon == NULL)
	{
		colon = s - 1;
		hn = 0;
	}
	else
		hn = (size_t)(colon - s);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']')
	{
		h++;
		hn -= 2;
	}
	if (hn >= hostlen || strlen(colon + 1) >= portlen || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return false;
	snprintf(host, hostlen, "%.*s", (int)hn, hn ? h : "127.0.0.1");
	snprintf(port, portlen, "%s", colon + 1);
	return atol(port) <= 65535;
}

static pgtls_err
open_listener(pgtls_impostor *imp, const char *addr, struct sockaddr_storage *bound)
{
	char host[256], port[8];
	struct addrinfo hints, *res = NULL;
	socklen_t blen = sizeof(*bound);
	int one = 1;
	int rc;

	if (!split_listen(addr, host, sizeof(host), port, sizeof(port)))
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "listen address \"%.200s\": expected HOST:PORT", addr);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "listen address \"%.200s\": %s", addr, gai_strerror(rc));
	imp->lfd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (imp->lfd < 0 || setsockopt(imp->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(imp->lfd, res->ai_addr, res->ai_addrlen) != 0 || listen(imp->lfd, 128) != 0 ||
	    getsockname(imp->lfd, (struct sockaddr *)bound, &blen) != 0)
	{
		int e = errno;

		freeaddrinfo(res);
		if (imp->lfd >= 0)
			close(imp->lfd);
		imp->lfd = -1;
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "cannot listen on %.200s: %s", addr, strerror(e));
	}
	freeaddrinfo(res);
	{
		char h[NI_MAXHOST], p[NI_MAXSERV];

		getnameinfo((struct sockaddr *)bound, blen, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(imp->address, sizeof(imp->address), bound->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
		rc = default_names(imp, host, (struct sockaddr *)bound);
	}
	return (pgtls_err)rc;
}

pgtls_err
pgtls_impostor_listen(pgtls_impostor *imp, const char *addr)
{
	struct sockaddr_storage bound;
	bool needs_ca =
	    imp->mode == PGTLS_DECOY_WRONG_NAME || imp->mode == PGTLS_DECOY_EXPIRED || imp->mode == PGTLS_DECOY_NEW_CHAIN;
	pgtls_err rc;

	if (imp->lfd >= 0 || imp->loaded)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "the decoy is listening already");
	if ((imp->mode == PGTLS_DECOY_RELAY) != (imp->relay.to_len > 0))
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "%s",
		                     imp->mode == PGTLS_DECOY_RELAY ? "mode relay needs the canary to relay to"
		                                                    : "a canary is for mode relay only");
	if (needs_ca && imp->forge.ca == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE,
		                     "mode %s needs a CA (its certificate and key) to sign the decoy's certificate: the one "
		                     "the clients trust, or for new-chain the new one",
		                     pgtls_decoy_mode_name(imp->mode));
	if (!needs_ca && imp->forge.ca)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE,
		                     "mode %s makes no certificate from a CA: a CA is for wrong-name, expired and new-chain",
		                     pgtls_decoy_mode_name(imp->mode));
	if (imp->relay.conninfo && !pgtls__relay_connect(&imp->relay))
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "the canary's connection for pg_stat_activity: %s",
		                     imp->relay.ident_error);
	imp->conns = calloc((size_t)imp->max_concurrent, sizeof(*imp->conns));
	if (imp->conns == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
	rc = open_listener(imp, addr, &bound);
	if (rc != PGTLS_OK)
		return rc;
	imp->forge.mode = imp->mode;
	if (imp->mode == PGTLS_DECOY_RELAY)
	{
		char h[NI_MAXHOST];

		if (getnameinfo((struct sockaddr *)&bound, sizeof(bound), h, sizeof(h), NULL, 0, NI_NUMERICHOST) == 0)
			snprintf(imp->relay.listen_ip, sizeof(imp->relay.listen_ip), "%s", h);
	}
	else if (imp->mode != PGTLS_DECOY_NO_TLS)
	{
		imp->ctx = pgtls__decoy_forge(&imp->forge, &imp->err);
		if (imp->ctx == NULL || (imp->leaf_cert = pgtls__cert_new(imp->forge.leaf)) == NULL)
		{
			pgtls_impostor_stop(imp);
			return imp->err.code ? imp->err.code : pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
		}
	}
	pgtls__utc_now(imp->started, sizeof(imp->started));
	return PGTLS_OK;
}

const char *
pgtls_impostor_address(const pgtls_impostor *imp)
{
	return imp->address;
}

const pgtls_cert *
pgtls_impostor_leaf(const pgtls_impostor *imp)
{
	return imp->leaf_cert;
}

static bool
just_before(const decoy_session *p, const decoy_session *s, int64_t window)
{
	return s->started_ms >= p->ended_ms - 50 && s->started_ms - p->ended_ms <= window && p->retry_of == 0;
}

/*
 * The same client's previous attempt: the same peer host and startup,
 * ended just before S started; or, for a plaintext startup, the last
 * attempt from the peer host if it asked for TLS and gave up before its
 * startup (libpq prefer after a failed verification: no user to match).
 */
static void
link_retry(pgtls_impostor *imp, decoy_session *s)
{
	decoy_session *p;

	bool last_from_host = true;

	if (!s->startup)
		return;
	for (int i = imp->nsessions - 1; i >= 0 && i >= imp->nsessions - 64; i--)
	{
		p = &imp->sessions[i];
		if (strcmp(p->peer_host, s->peer_host) != 0)
			continue;
		if (last_from_host && !p->startup && (p->ssl_request || p->direct) && !s->startup_tls && !s->ssl_request &&
		    just_before(p, s, ANON_RETRY_WINDOW_MS))
		{
			s->retry_of = p->id;
			s->earlier_tls = true;
			/* the refused attempt is this client's: it gets the identity its retry told */
			memcpy(p->user, s->user, sizeof(p->user));
			memcpy(p->database, s->database, sizeof(p->database));
			memcpy(p->appname, s->appname, sizeof(p->appname));
			return;
		}
		last_from_host = false;
		if (!p->startup || !p->password_asked || strcmp(p->user, s->user) != 0 ||
		    strcmp(p->database, s->database) != 0 || strcmp(p->appname, s->appname) != 0)
			continue;
		/* a retry switches TLS: prefer goes on without it, allow tries it */
		if ((p->ssl_request || p->direct) != (s->ssl_request || s->direct) && just_before(p, s, RETRY_WINDOW_MS))
		{
			s->retry_of = p->id;
			s->earlier_tls = p->ssl_request || p->direct;
		}
		return;
	}
}

void
pgtls__impostor_tally(pgtls_impostor *imp, const decoy_session *s)
{
	pgtls_decoy_facts f;
	const char *proves;

	for (int v = 0; v < PGTLS_DECOY_VERDICT_COUNT; v++)
		if (s->codes & (1u << v))
			imp->tally[v]++;
	imp->tally_sessions++;
	imp->tally_accepted += pgtls__rules_decoy_accepted(s->codes);
	pgtls__decoy_facts_of(s, imp->mode, &f);
	imp->tally_observed[pgtls__rules_rehearsal(&f, &proves)]++;
}

static void
record(pgtls_impostor *imp, decoy_conn *c)
{
	pgtls_decoy_facts f;
	decoy_session *s = &c->rec;

	link_retry(imp, s);
	if (s->relayed)
		pgtls__relay_name_check(c, &imp->relay);
	pgtls__decoy_facts_of(s, imp->mode, &f);
	s->codes = pgtls__rules_decoy(&f);
	pgtls__impostor_tally(imp, s);
	if (imp->nsessions >= imp->max_records)
	{
		imp->dropped_records++;
		return;
	}
	if (imp->nsessions == imp->capsessions)
	{
		int cap = imp->capsessions ? imp->capsessions * 2 : 64;
		decoy_session *n = realloc(imp->sessions, (size_t)cap * sizeof(*n));

		if (n == NULL)
		{
			imp->dropped_records++;
			return;
		}
		imp->sessions = n;
		imp->capsessions = cap;
	}
	imp->sessions[imp->nsessions++] = *s;
}

static void
accept_new(pgtls_impostor *imp, int64_t now)
{
	for (int k = 0; k < ACCEPTS_PER_POLL; k++)
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char h[NI_MAXHOST] = "?", p[NI_MAXSERV] = "?", peer[80];
		int fd = accept4(imp->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		decoy_conn *c;

		if (fd < 0)
			return;
		if (imp->nconns >= imp->max_concurrent || (c = malloc(sizeof(*c))) == NULL)
		{
			close(fd);
			imp->dropped_busy++;
			continue;
		}
		getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(peer, sizeof(peer), ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
		pgtls__decoy_conn_init(c, fd, ++imp->next_id, peer, h, now, imp->timeout_ms);
		imp->conns[imp->nconns++] = c;
	}
}

/* ends connection I (done or aborted): records it and removes it */
static void
retire(pgtls_impostor *imp, int i)
{
	record(imp, imp->conns[i]);
	pgtls__decoy_conn_free(imp->conns[i]);
	imp->conns[i] = imp->conns[--imp->nconns];
}

int
pgtls_impostor_poll(pgtls_impostor *imp, int timeout_ms)
{
	struct pollfd pfd[1 + 2 * 1024];
	int at[1024]; /* conn i's client socket is pfd[at[i]], its canary socket (relay) the next */
	int64_t now = pgtls_now_ms();
	int ended = 0;
	int n, k = 1;

	if (imp->lfd < 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "the decoy is not listening"), -1;
	pfd[0].fd = imp->lfd;
	pfd[0].events = POLLIN;
	for (int i = 0; i < imp->nconns; i++)
	{
		decoy_conn *c = imp->conns[i];
		int64_t left = c->deadline - now;
		short ce, ue;

		pgtls__decoy_conn_events(c, &ce, &ue);
		at[i] = k;
		pfd[k].fd = c->fd;
		pfd[k++].events = ce;
		pfd[k].fd = c->up_fd;
		pfd[k++].events = ue; /* fd -1: ignored by poll() */
		if (left < timeout_ms)
			timeout_ms = left < 0 ? 0 : (int)left;
	}
	n = poll(pfd, (nfds_t)k, timeout_ms < 0 ? 0 : timeout_ms);
	if (n < 0 && errno != EINTR)
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "poll: %s", strerror(errno)), -1;
	now = pgtls_now_ms();
	/* from the last, so that retire()'s swap never skips one stepped in this round */
	for (int i = imp->nconns - 1; n > 0 && i >= 0; i--)
	{
		decoy_conn *c = imp->conns[i];

		if (pfd[at[i]].revents == 0 && pfd[at[i] + 1].revents == 0)
			continue;
		if (pgtls__decoy_conn_step(c, imp->ctx, imp->mode, &imp->relay))
		{
			retire(imp, i);
			ended++;
		}
	}
	for (int i = imp->nconns - 1; i >= 0; i--)
		if (imp->conns[i]->deadline <= now)
		{
			char why[96];

			snprintf(why, sizeof(why), "timed out after %d ms", imp->timeout_ms);
			pgtls__decoy_conn_abort(imp->conns[i], why);
			retire(imp, i);
			ended++;
		}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_new(imp, now);
	return ended;
}

void
pgtls_impostor_stop(pgtls_impostor *imp)
{
	if (imp->lfd >= 0)
	{
		close(imp->lfd);
		imp->lfd = -1;
		pgtls__utc_now(imp->ended, sizeof(imp->ended));
	}
	while (imp->nconns > 0)
	{
		pgtls__decoy_conn_abort(imp->conns[imp->nconns - 1], "cut short: the decoy stopped");
		retire(imp, imp->nconns - 1);
	}
}

int
pgtls_impostor_nsessions(const pgtls_impostor *imp)
{
	return imp->nsessions;
}

int
pgtls_impostor_dropped(const pgtls_impostor *imp, int beyond_records)
{
	return beyond_records ? imp->dropped_records : imp->dropped_busy;
}

int
pgtls_impostor_status(const pgtls_impostor *imp)
{
	const int *o = imp->tally_observed;

	if (pgtls__rules_decoy_rehearses(imp->mode))
		return imp->tally_sessions == 0                                                                          ? 3
		       : o[PGTLS_PREDICT_BREAKS] > 0 || o[PGTLS_PREDICT_FALLS_BACK] > 0                                  ? 2
		       : o[PGTLS_PREDICT_UNKNOWN] > 0 || o[PGTLS_PREDICT_UNAFFECTED_NO_TLS] > 0 || imp->dropped_busy > 0 ? 1
		                                                                                                         : 0;
	if (imp->tally_accepted > 0)
		return 2;
	if (imp->tally_sessions == 0)
		return 3;
	return imp->tally[PGTLS_DECOY_INCONCLUSIVE] > 0 || imp->dropped_busy > 0 ? 1 : 0;
}

pgtls_err
pgtls_impostor_errcode(const pgtls_impostor *imp)
{
	return imp->err.code;
}

const char *
pgtls_impostor_errmsg(const pgtls_impostor *imp)
{
	return imp->err.msg;
}
