/*-------------------------------------------------------------------------
 *
 * names.c
 *	  libpq's verify-full host name rules, reproduced exactly.
 *
 * IDENTIFICATION
 *	  lib/x509/names.c
 *
 * NOTES
 *	  Mirrors fe-secure-common.c (pq_verify_peer_name_matches_certificate*,
 *	  wildcard_certificate_match) and fe-secure-openssl.c
 *	  (pgtls_verify_peer_name_matches_certificate_guts) of PostgreSQL 15-17:
 *	  - a SAN of the host's type (DNS name or IP) disables the CN check;
 *	  - an IP host may still match the CN when no IP SAN exists (NSS rule);
 *	  - "*." wildcards cover exactly one leading label;
 *	  - IPv4 hosts are parsed with inet_aton (so "127.1" works);
 *	  - names with embedded NULs are an error, not a mismatch.
 *	  The error texts are libpq's, so reports can be compared with psql.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pgtls_int.h"
#include "pgtls_unittest.h"

int
pgtls__name_matches(const char *pattern, size_t patlen, const char *host)
{
	size_t lenstr;

	if (pattern == NULL || host == NULL)
		return 0;
	lenstr = strlen(host);
	if (patlen == lenstr && strncasecmp(pattern, host, patlen) == 0)
		return 1;
	/* wildcard: "*." + at least one character, covering one label */
	if (patlen < 3 || pattern[0] != '*' || pattern[1] != '.')
		return 0;
	if (patlen > lenstr)
		return 0;
	if (strncasecmp(pattern + 1, host + lenstr - patlen + 1, patlen - 1) != 0)
		return 0;
	/* a dot left of where the pattern matched means more than one label */
	if (strchr(host, '.') < host + lenstr - patlen)
		return 0;
	return 1;
}

bool
pgtls__is_ip_address(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	return inet_aton(host, &a4) || inet_pton(AF_INET6, host, &a6) == 1;
}

/* 1 match, 0 no match, -1 error (message in MSG); *store gets a malloc'd copy of the name */
static int
match_name(const unsigned char *data, int len, const char *host, char **store, char *msg, size_t msglen)
{
	char *name;

	if (len < 0)
		len = 0;
	name = malloc((size_t)len + 1);
	if (name == NULL)
	{
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	memcpy(name, data, (size_t)len);
	name[len] = '\0';
	if (strlen(name) != (size_t)len)
	{
		free(name);
		snprintf(msg, msglen, "SSL certificate's name contains embedded null");
		return -1;
	}
	*store = name;
	return pgtls__name_matches(name, (size_t)len, host);
}

static int
match_ip(const ASN1_OCTET_STRING *ip, const char *host, char **store, char *msg, size_t msglen)
{
	const unsigned char *data = ASN1_STRING_get0_data(ip);
	int len = ASN1_STRING_length(ip);
	int match = 0;
	char buf[INET6_ADDRSTRLEN];

	if (len == 4)
	{
		struct in_addr a;

		if (inet_aton(host, &a) && memcmp(data, &a.s_addr, 4) == 0)
			match = 1;
		inet_ntop(AF_INET, data, buf, sizeof(buf));
	}
	else if (len == 16)
	{
		struct in6_addr a;

		if (inet_pton(AF_INET6, host, &a) == 1 && memcmp(data, a.s6_addr, 16) == 0)
			match = 1;
		inet_ntop(AF_INET6, data, buf, sizeof(buf));
	}
	else
	{
		snprintf(msg, msglen, "certificate contains IP address with invalid length %d", len);
		return -1;
	}
	*store = strdup(buf);
	return match;
}

static void
keep_first(char **first, char *name)
{
	if (name == NULL)
		return;
	if (*first == NULL)
		*first = name;
	else
		free(name);
}

int
pgtls__host_matches(X509 *cert, const char *host, char *msg, size_t msglen)
{
	STACK_OF(GENERAL_NAME) * san;
	int host_type;
	bool check_cn = true;
	int rc = 0;
	int examined = 0;
	char *first = NULL;

	msg[0] = '\0';
	if (host == NULL || host[0] == '\0')
	{
		snprintf(msg, msglen, "host name must be specified for a verified SSL connection");
		return -1;
	}
	host_type = pgtls__is_ip_address(host) ? GEN_IPADD : GEN_DNS;

	san = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (san)
	{
		int i;

		for (i = 0; i < sk_GENERAL_NAME_num(san); i++)
		{
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);
			char *name = NULL;

			if (gn->type == host_type)
				check_cn = false;
			if (gn->type == GEN_DNS)
			{
				examined++;
				rc = match_name(ASN1_STRING_get0_data(gn->d.dNSName), ASN1_STRING_length(gn->d.dNSName), host, &name,
				                msg, msglen);
			}
			else if (gn->type == GEN_IPADD)
			{
				examined++;
				rc = match_ip(gn->d.iPAddress, host, &name, msg, msglen);
			}
			keep_first(&first, name);
			if (rc != 0)
			{
				check_cn = false;
				break;
			}
		}
		sk_GENERAL_NAME_pop_free(san, GENERAL_NAME_free);
	}
	if (check_cn)
	{
		X509_NAME *subj = X509_get_subject_name(cert);
		int idx = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1) : -1;

		if (idx >= 0)
		{
			ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
			char *name = NULL;

			examined++;
			rc = match_name(ASN1_STRING_get0_data(cn), ASN1_STRING_length(cn), host, &name, msg, msglen);
			keep_first(&first, name);
		}
	}
	if (rc == 0)
	{
		char shown[512] = "";

		/* the name comes from the server: through the sanitiser before anyone prints it */
		if (first)
			pgtls__sanitize(first, strlen(first), shown, sizeof(shown));
		if (examined > 1)
			snprintf(msg, msglen, "server certificate for \"%s\" (and %d other name%s) does not match host name \"%s\"",
			         shown, examined - 1, examined - 1 == 1 ? "" : "s", host);
		else if (examined == 1)
			snprintf(msg, msglen, "server certificate for \"%s\" does not match host name \"%s\"", shown, host);
		else
			snprintf(msg, msglen, "could not get server's host name from server certificate");
	}
	free(first);
	return rc;
}

int
pgtls__host_matches_der(const unsigned char *der, size_t derlen, const char *host, char *msg, size_t msglen)
{
	const unsigned char *p = der;
	X509 *x;
	int rc;
	char dummy[8];

	if (msg == NULL || msglen == 0)
	{
		msg = dummy;
		msglen = sizeof(dummy);
	}
	if (der == NULL || derlen > 1024 * 1024)
	{
		snprintf(msg, msglen, "certificate too large");
		return -1;
	}
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL)
	{
		snprintf(msg, msglen, "could not parse certificate");
		return -1;
	}
	rc = pgtls__host_matches(x, host, msg, msglen);
	X509_free(x);
	return rc;
}
