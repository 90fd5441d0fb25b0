/*-------------------------------------------------------------------------
 *
 * sockbio.c
 *	  A socket BIO for OpenSSL that never raises SIGPIPE: writes use
 *	  send(MSG_NOSIGNAL), reads recv(); non-blocking retries are passed
 *	  back to the state machine.
 *
 * IDENTIFICATION
 *	  lib/scan/sockbio.c
 *
 * NOTES
 *	  OpenSSL's own socket BIO writes with write(2): a peer that closes
 *	  after 'S' or after the handshake kills the whole process with
 *	  SIGPIPE.  A library must not change the process's signal
 *	  dispositions, so the BIO itself avoids the signal.  Each connection
 *	  owns its BIO_METHOD (no global state); free it after the SSL object.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "pgtls_int.h"

static int
fd_of(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int
sock_write(BIO *b, const char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send(fd_of(b), buf, (size_t)len, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int
sock_read(BIO *b, char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv(fd_of(b), buf, (size_t)len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	return (int)n;
}

static long
sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)num;
	switch (cmd)
	{
		case BIO_CTRL_FLUSH:
		case BIO_CTRL_DUP:
			return 1;
		case BIO_C_GET_FD:
			if (ptr)
				*(int *)ptr = fd_of(b);
			return fd_of(b);
		default:
			return 0;
	}
}

static int
sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

void
pgtls__sock_close(SSL **ssl, BIO_METHOD **meth, int *fd)
{
	/* the SSL frees its BIO, which still uses the method: the method goes after it */
	SSL_free(*ssl);
	*ssl = NULL;
	BIO_meth_free(*meth);
	*meth = NULL;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A BIO over FD (not closed by the BIO); *METH receives the method to free with BIO_meth_free(). */
BIO *
pgtls__sock_bio(int fd, BIO_METHOD **meth)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pgtls socket");
	BIO *b;

	*meth = NULL;
	if (m == NULL || !BIO_meth_set_write(m, sock_write) || !BIO_meth_set_read(m, sock_read) ||
	    !BIO_meth_set_ctrl(m, sock_ctrl) || !BIO_meth_set_create(m, sock_create))
	{
		BIO_meth_free(m);
		return NULL;
	}
	b = BIO_new(m);
	if (b == NULL)
	{
		BIO_meth_free(m);
		return NULL;
	}
	BIO_set_data(b, (void *)(intptr_t)fd);
	*meth = m;
	return b;
}
