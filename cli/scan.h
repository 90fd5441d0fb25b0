/*-------------------------------------------------------------------------
 *
 * scan.h
 *	  pgtls scan: one row per target, kept after its probe is freed.
 *
 * IDENTIFICATION
 *	  cli/scan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_SCAN_H
#define PGTLS_CLI_SCAN_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <pgtls/pgtls.h>

#define SCAN_MAX_CHAIN 6

typedef struct scan_row
{
	char *target;      /* as given, password masked */
	char *source;      /* where it came from: "argument", FILE:LINE, service NAME */
	char host[256];    /* for the per-host limit */
	bool parsed;       /* false: the line could not be read as a target */
	int status;        /* 0-3 */
	char message[512]; /* the finding that explains the status, or the error */
	char tls[16];      /* TLS version, or "" */
	char issuer[256];  /* the CA at the top of the served chain */
	char ca[64];       /* its known identity (rds-ca-2019, rds-ca-rsa2048-g1...: by fingerprint), or "" */
	int nchain;
	char cn[SCAN_MAX_CHAIN][128];
	char issuer_cn[SCAN_MAX_CHAIN][128];
	char serial[SCAN_MAX_CHAIN][64];
	time_t not_after[SCAN_MAX_CHAIN]; /* 0: unknown */
	time_t earliest;                  /* earliest not_after of the chain, 0 unknown */
	int plaintext;                    /* 1 accepted, 0 rejected, -1 unknown */
	int chain_verifies;               /* 1, 0, -1 not evaluated */
	int host_ok;
	bool handshake;
	int connects[6]; /* per sslmode (postgres negotiation): 1 connects, 0 fails, -1 unknown */
	int verified[6]; /* 0 none, 1 ca, 2 full */
	int encrypted[6];
	bool done;
	int aws; /* index in the AWS inventory, or -1 */
} scan_row;

typedef enum out_format
{
	OUT_TABLE,
	OUT_JSON,
	OUT_CSV,
	OUT_METRICS
} out_format;

typedef struct scan_opts
{
	pgtls_aws *aws;
	const char *target_ca;
	const char *rootcert;
	const char *user;
	const char *libpq_version;
	char timeout_ms[32];
	int concurrency;
	int per_host;
	out_format format;
	bool quiet;
} scan_opts;

typedef struct scan_ctx
{
	scan_opts *o;
	scan_row *rows;
	int n;
	int cap;
	bool tty;
} scan_ctx;

scan_row *cli_scan_add_row(scan_ctx *c, const char *target, const char *source);
/* a probe for TARGET with the options of O; NULL with WHY when TARGET is no target */
pgtls_probe *cli_scan_make_probe(const scan_opts *o, const char *target, char *why, size_t whylen);
/* what ROW keeps of the finished probe P */
void cli_scan_fill_row(scan_row *r, pgtls_probe *p);
/* scan_aws.c */
int cli_scan_aws_targets(scan_ctx *c);
void cli_scan_aws_plan(scan_ctx *c, FILE *f);

/* metrics.c: Prometheus text exposition (the node_exporter textfile format) of ROWS */
void cli_scan_metrics(FILE *f, const scan_row *rows, int n);

#endif
