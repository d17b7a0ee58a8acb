/* outfile.c — atomic output files (see outfile.h). */
#include "outfile.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_mkdirs(const char *dir)
{
    char buf[1024];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

int sim_out_open(sim_outfile *o, const char *dir, const char *name)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->final, sizeof o->final, "%s/%s", dir, name) >= (int)sizeof o->final) {
        fprintf(stderr, "retrysim: output path too long: %s/%s\n", dir, name);
        return -1;
    }
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        fprintf(stderr, "retrysim: cannot write %s: %s\n", o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

int sim_out_commit(sim_outfile *o)
{
    if (!o->f) return -1;
    int bad = ferror(o->f);
    if (fclose(o->f) != 0) bad = 1;
    o->f = NULL;
    if (bad || rename(o->tmp, o->final) != 0) {
        fprintf(stderr, "retrysim: cannot write %s: %s\n", o->final, strerror(errno ? errno : EIO));
        unlink(o->tmp);
        return -1;
    }
    return 0;
}

void sim_out_abort(sim_outfile *o)
{
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
}
