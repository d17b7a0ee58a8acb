/* cu_scratch.h — a scratch directory for a CUnit test program that reads
 * its inputs (scenarios, CSVs, configs) from disk, and files written into
 * it. Define CU_SCRATCH_TAG ("trace", ...) before including: the directory
 * is /tmp/retrysim-test-<tag>-XXXXXX, made at the first use and removed at
 * exit. write_file / write_bytes return the path in one of four static
 * buffers used in turn, so four paths can be held at once. */
#ifndef CU_SCRATCH_H
#define CU_SCRATCH_H
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CU_SCRATCH_TAG
#error "define CU_SCRATCH_TAG before including cu_scratch.h"
#endif

static char g_dir[256];

static inline void cu_scratch_remove_(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
}

static inline const char *scratch(void)
{
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/tmp/retrysim-test-" CU_SCRATCH_TAG "-XXXXXX");
        if (!mkdtemp(g_dir)) { perror("mkdtemp"); exit(1); }
        atexit(cu_scratch_remove_);
    }
    return g_dir;
}

/* Writes len bytes to scratch()/name; returns its path. */
static inline const char *write_bytes(const char *name, const char *data, size_t len)
{
    static char path[4][400];
    static int which;
    char *p = path[which = (which + 1) % 4];
    snprintf(p, sizeof path[0], "%s/%s", scratch(), name);
    FILE *f = fopen(p, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (len) CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

static inline const char *write_file(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

#endif
