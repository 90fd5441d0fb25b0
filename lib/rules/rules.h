/*-------------------------------------------------------------------------
 *
 * rules.h
 *	  The one decision function: what a client's driver does with an
 *	  sslmode, a trust source and a server, from typed facts.
 *
 * IDENTIFICATION
 *	  lib/rules/rules.h
 *
 * NOTES
 *	  pgtls probe (six sslmodes against a real server), pgtls clients (what
 *	  settings do, judged against hypothetical servers) and pgtls rotation
 *	  (the same client against the chain before and after the switch) all
 *	  call pgtls__rules_decide().  No other file decides what an sslmode
 *	  does.  Driver differences are the data table in drivers.c, from which
 *	  docs/drivers.md is generated (tests/unit/gen_drivers_doc.c).
 *
 *	  Pure: no I/O, no allocation, no global state.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_RULES_H
#define PGTLS_RULES_H

#include <stdbool.h>

#include "pgtls/pgtls.h"

/* How TLS negotiation with the server went (the SSLRequest or direct connection). */
typedef enum pgtls_tls_state
{
	PGTLS_TLS_UNREACHABLE = 0, /* network failure: nothing can be told */
	PGTLS_TLS_HOSTILE,         /* protocol violation before an S/N answer: no fallback */
	PGTLS_TLS_REFUSED,         /* the server answered N */
	PGTLS_TLS_FAILED,          /* answered, then the handshake (or what followed) failed */
	PGTLS_TLS_ESTABLISHED      /* handshake completed */
} pgtls_tls_state;

/* The root certificate file as the driver sees it (trust FILE only). */
typedef enum pgtls_root_state
{
	PGTLS_ROOT_NONE = 0,   /* the driver reads no root file (none set, no default) */
	PGTLS_ROOT_NO_HOME,    /* the default path needs a home directory there is none of */
	PGTLS_ROOT_MISSING,    /* configured or default file does not exist */
	PGTLS_ROOT_UNREADABLE, /* exists, the driver cannot load it */
	PGTLS_ROOT_LOADED
} pgtls_root_state;

typedef enum pgtls_tri
{
	PGTLS_TRI_NO = 0,
	PGTLS_TRI_YES = 1,
	PGTLS_TRI_UNKNOWN = 2
} pgtls_tri;

typedef enum pgtls_negotiation
{
	PGTLS_NEG_POSTGRES = 0, /* SSLRequest (sslnegotiation=postgres) */
	PGTLS_NEG_DIRECT        /* PG17 direct TLS (sslnegotiation=direct) */
} pgtls_negotiation;

typedef struct pgtls_facts
{
	/* the client */
	pgtls_driver driver;
	pgtls_sslmode sslmode;
	pgtls_negotiation negotiation;
	pgtls_trust trust;
	pgtls_root_state root;   /* for TRUST_FILE */
	bool root_explicit;      /* sslrootcert set by the application, not the driver's default */
	bool custom_host_check;  /* the application's own host name check (pgjdbc sslhostnameverifier): not the driver's */
	bool client_cert_failed; /* the client certificate or key it would present cannot be used (libpq fails after 'S') */
	/* the server, as this client would meet it */
	pgtls_tls_state tls;
	pgtls_startup tls_startup;   /* reply to the startup over TLS */
	pgtls_startup plain_startup; /* reply to the startup without TLS */
	bool tls_startup_broken;     /* no reply: the TLS connection broke after the handshake (server alert, EOF) */
	pgtls_tri chain_verifies;    /* served chain against the client's trust */
	pgtls_tri host_matches;      /* verify-full name check against the host used */
} pgtls_facts;

#define PGTLS_MAX_ATTEMPT_ERRORS 4

typedef struct pgtls_outcome
{
	pgtls_result result;
	bool encrypted;
	pgtls_verified verified;
	bool fell_back; /* prefer connected without TLS after TLS failed */
	int nerrors;    /* one per failed attempt, in the order the driver reports them */
	pgtls_failure errors[PGTLS_MAX_ATTEMPT_ERRORS];
} pgtls_outcome;

/* One driver's behaviour: a row of the table in drivers.c. */
typedef struct pgtls_driver_rules
{
	pgtls_driver id;
	const char *name;  /* stable code */
	const char *label; /* for people */
	const char *recognised_by;
	pgtls_sslmode default_mode;
	bool default_root_file;       /* reads ~/.postgresql/root.crt when sslrootcert is unset */
	bool default_root_optional;   /* ... only when it exists; else the OS store (lib/pq 1.12) */
	bool system_store_default;    /* uses the OS store when no root certificate is set */
	bool root_upgrades_require;   /* an existing root file makes require verify the CA */
	bool root_upgrades_prefer;    /* ... and prefer/allow verify before falling back */
	bool root_upgrade_explicit;   /* ... only when sslrootcert was set explicitly */
	bool weak_modes_verify_full;  /* prefer/require/verify-ca behave as verify-full */
	bool system_verify_full_only; /* sslrootcert=system allows only verify-full (libpq 16+) */
	bool root_pem_only;           /* reads the root file as PEM only (else "could not read root certificate file") */
	bool host_check_any_trust;    /* verify-full checks the host name even when the chain is not checked (pgjdbc) */
	bool
	    verify_in_every_mode; /* unless trust is disabled, any TLS attempt checks chain and host name (Prisma strict) */
	bool prefer_no_retry;     /* prefer goes on in plaintext only when the server answers N, never after a
	                               * failed handshake (tokio-postgres connect_tls) */
	bool prefer_retry_rejected_only; /* prefer retries in plaintext after the server's rejection over TLS
	                                  * (28000), never after a failed handshake (pgjdbc ConnectionFactoryImpl) */
	bool any_cert_anchor;            /* any certificate in the trust store or root file is a trust anchor, an
	                                  * intermediate or the server's own (the JDK's PKIX; Go's x509.Verify), as
	                                  * OpenSSL's X509_V_FLAG_PARTIAL_CHAIN; libpq and Node take roots only */
	unsigned unsupported_modes;      /* 1 << sslmode for each mode the driver refuses (lib/pq 1.10: allow, prefer) */
	bool verify_checks_host;         /* whenever it checks the chain it checks the host name too (lib/pq 1.10:
	                                  * sslVerifyCertificateAuthority passes the SNI name as DNSName) */
	bool host_error_first;           /* a wrong name is reported before an untrusted chain (Go's x509.Verify
	                                  * checks the name before it builds chains) */
	const char *err_chain;           /* what the application sees on an untrusted chain */
	const char *err_host;            /* ... on a host name mismatch */
	const char *err_no_ssl;          /* ... when the server refuses TLS that is required */
	const char *err_no_root;         /* ... when verify-* finds no root file */
	const char *err_purpose;         /* ... when the leaf's extended key usage lacks serverAuth (NULL: err_chain) */
	const char *notes;               /* other rules, for docs/drivers.md */
	const char *source;              /* the driver source or documentation the row follows */
	const char *run_by;              /* the real driver the tests ran the row against, or "from source, not run" */
} pgtls_driver_rules;

/* The row of DRIVER (never NULL for a valid driver; the libpq row otherwise). */
const pgtls_driver_rules *pgtls__driver_rules(pgtls_driver driver);
/* the words of D's row for a failure (untrusted chain, wrong name, no TLS, no root file), or NULL */
const char *pgtls__driver_error(const pgtls_driver_rules *d, pgtls_failure why);

/* Driver by stable code ("pgjdbc"); false when unknown. */
bool pgtls__driver_parse(const char *name, pgtls_driver *out);

/*
 * THE decision: what the client described by F does against the server
 * described by F.  Fills *OUT (never fails).
 */
void pgtls__rules_decide(const pgtls_facts *f, pgtls_outcome *out);

/*
 * What the client settings in F (driver, sslmode, trust, root) do against
 * any server: derived by calling pgtls__rules_decide() against
 * hypothetical servers (honest, refusing TLS, forging the chain, wrong
 * name).  *VERIFIES_WHEN_TLS gets the verification level reached when
 * TLS works (an opportunistic libpq client with a root file verifies the
 * CA before falling back).  *FAILURE gets the reason when the settings
 * fail against an honest server (root file missing, weak sslmode with
 * sslrootcert=system), else PGTLS_FAIL_NONE.
 */
pgtls_client_outcome pgtls__rules_classify(const pgtls_facts *f, pgtls_verified *verifies_when_tls,
                                           pgtls_failure *failure);

/* What a decoy server (pgtls impostor) saw one client connection do. */
typedef struct pgtls_decoy_facts
{
	pgtls_decoy_mode mode;
	bool said_anything;  /* any request or startup */
	bool asked_tls;      /* SSLRequest or a direct TLS ClientHello */
	bool answered_no;    /* the decoy answered N */
	bool client_hello;   /* the client began the handshake */
	bool handshake_done; /* the client finished the handshake with the decoy's certificate */
	bool startup;        /* it sent a StartupMessage */
	bool startup_tls;    /* ... inside the decoy's TLS */
	bool password_sent;
	bool earlier_tls;   /* the same client's attempt just before this one asked for TLS (a retry) */
	bool name_tested;   /* relay: the canary's certificate names the host the client asked for */
	bool refused_chain; /* relay: its alert was about the chain (unknown_ca, certificate_unknown), not the name */
} pgtls_decoy_facts;

/* THE decoy decision: the verdicts (1u << pgtls_decoy_verdict) that hold for F; never 0. */
unsigned pgtls__rules_decoy(const pgtls_decoy_facts *f);
/* True when verdicts CODES mean the client went on with the decoy (no TLS, fallback, its certificate, a password). */
bool pgtls__rules_decoy_accepted(unsigned codes);
/* For people: the client setting that explains VERDICT under F, and the fix ("" when none). */
const char *pgtls__decoy_explain(const pgtls_decoy_facts *f, pgtls_decoy_verdict verdict);
const char *pgtls__decoy_fix(const pgtls_decoy_facts *f, pgtls_decoy_verdict verdict);
/*
 * What a client whose settings have OUTCOME does against a decoy in MODE:
 * YES accepts it, NO rejects it, UNKNOWN (settings that fail anyway, Unix
 * sockets, unknown).
 */
pgtls_tri pgtls__rules_decoy_expect(pgtls_client_outcome outcome, pgtls_decoy_mode mode);
/*
 * True when a decoy in MODE saw verdicts CODES (1u << pgtls_decoy_verdict)
 * that prove the client does not verify the certificate chain (it took a
 * forged, untrusted or expired certificate): observed behaviour overrides
 * the settings in a rotation prediction.
 */
bool pgtls__rules_decoy_unverified(unsigned codes, pgtls_decoy_mode mode);

/* True for the rehearsal modes (new-chain, relay): the decoy serves what the switch will. */
bool pgtls__rules_decoy_rehearses(pgtls_decoy_mode mode);
/*
 * THE rehearsal decision: what a client that did F in front of a
 * rehearsal server (new-chain, relay) will do when its server switches CA.
 * *PROVES: "ca_trust_and_host_name", "ca_trust" or "" (nothing proven).
 */
pgtls_prediction pgtls__rules_rehearsal(const pgtls_decoy_facts *f, const char **proves);
/* For people: why F gives that prediction. */
const char *pgtls__rehearsal_explain(const pgtls_decoy_facts *f, pgtls_prediction p);
/* The worse of two observations of one client (falls back > breaks > unknown > keeps working > no TLS). */
pgtls_prediction pgtls__rules_rehearsal_worse(pgtls_prediction a, pgtls_prediction b);

#endif /* PGTLS_RULES_H */
