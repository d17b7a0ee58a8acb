/* fuzz_util.h — shared helpers of the libFuzzer targets (tests/fuzz/README.md).
 * A scratch directory made once per process holds the small CSV files that
 * fuzzed scenarios and distributions may name, and the file a CSV target
 * writes its input to. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir_[64];

static inline void fuzz_rm_dir_(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_);
    if (system(cmd)) { /* best effort */ }
}

static inline void fuzz_put_(const char *name, const char *text)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", fuzz_dir_, name);
    FILE *f = fopen(p, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
}

/* The scratch directory (made on first use, removed at exit), with
 * t.csv (a timeline trace), a.csv (arrivals), e.csv (empirical values). */
static inline const char *fuzz_dir(void)
{
    if (fuzz_dir_[0]) return fuzz_dir_;
    /* tmpfs when there is one: the CSV target rewrites a file per input */
    snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/retrysim-fuzz-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(fuzz_dir_)) abort();
    atexit(fuzz_rm_dir_);
    fuzz_put_("t.csv", "at,for,provider,key,value\n1s,2s,a,rpm,100\n3,,a,outage,503\n");
    fuzz_put_("a.csv", "at,class\n0.5,default\n1s,default\n");
    fuzz_put_("e.csv", "v\n1ms\n2.5\n3s\n");
    return fuzz_dir_;
}

/* A NUL-terminated copy of the input (the caller frees it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Writes the input to a file of the scratch directory; returns its path. */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(p, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    return p;
}

/* One located error line: no newline inside, never empty. */
static inline void fuzz_check_msg(const char *msg)
{
    if (!msg[0] || strchr(msg, '\n')) abort();
}

#endif
