/*-------------------------------------------------------------------------
 *
 * note.c
 *	  The one way a reader or a driver rule adds to a client's note: "; "
 *	  between entries, passwords masked.
 *
 * IDENTIFICATION
 *	  lib/clients/note.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

void
pgtls__client_note_add(client_rec *r, const char *fmt, ...)
{
	char add[1400], buf[2400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(add, sizeof(add), fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "%s%s%s", r->note ? r->note : "", r->note ? "; " : "", add);
	free(r->note);
	r->note = pgtls__mask_secrets(buf, strlen(buf));
}
