/*-------------------------------------------------------------------------
 *
 * project.c
 *	  The project a file belongs to: the nearest directory above it whose
 *	  build or lock file answers a question (which pgjdbc, which asyncpg,
 *	  which node-postgres), asked once per directory and once per project;
 *	  and the version numbers those files give.
 *
 * IDENTIFICATION
 *	  lib/clients/project.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

void
pgtls__project_find(pgtls_project_cache *pc, const char *file, void *here, void *proj, size_t anslen,
                    bool (*read)(const char *dir, void *ans), void (*reset)(void *ans))
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", file);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	if (pc->dir[0] && strcmp(dir, pc->dir) == 0)
		return; /* HERE still holds the answer for this directory */
	snprintf(pc->dir, sizeof(pc->dir), "%s", dir);
	reset(here);
	for (int up = 0; up < 32 && dir[0]; up++)
	{
		if (pc->proj_dir[0] && strcmp(dir, pc->proj_dir) == 0)
		{
			/* the project found last time: not read again (a tree's many directories) */
			memcpy(here, proj, anslen);
			return;
		}
		if (read(dir, here))
		{
			snprintf(pc->proj_dir, sizeof(pc->proj_dir), "%s", dir);
			memcpy(proj, here, anslen);
			return;
		}
		*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	}
}

bool
pgtls__version_parse(const char *v, size_t n, int out[3])
{
	char buf[64];
	const char *p = buf;
	int k = 0;

	out[0] = out[1] = out[2] = -1;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	while (k < 3 && isdigit((unsigned char)*p))
	{
		char *e;
		long x = strtol(p, &e, 10);

		out[k++] = x > 1000000 ? 1000000 : (int)x;
		p = e;
		if (k == 3 || !(*p == '.' || (k == 2 && *p == '-')) || !isdigit((unsigned char)p[1]))
			break;
		p++;
	}
	if (k < 2)
	{
		out[0] = out[1] = out[2] = -1; /* a range ([42.2,)), a dynamic version (42.+), a property left */
		return false;
	}
	if (k == 2)
		out[2] = 0;
	return true;
}
