/*-------------------------------------------------------------------------
 *
 * project.c
 *	  The project a file belongs to: the nearest directory above it whose
 *	  build or lock file answers a question (which pgjdbc, which asyncpg),
 *	  asked once per directory and once per project.
 *
 * IDENTIFICATION
 *	  lib/clients/project.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
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
