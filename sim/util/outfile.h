/* outfile.h — output files that appear whole or not at all: written to a
 * temporary name in the same directory, renamed on commit, removed on abort. */
#ifndef SIM_OUTFILE_H
#define SIM_OUTFILE_H
#include <stdio.h>

typedef struct {
    FILE *f;
    char  final[1024];
    char  tmp[1100];
} sim_outfile;

int  sim_mkdirs(const char *dir);                      /* mkdir -p; 0 or -1 (errno) */
/* Opens dir/name for writing via a temporary; 0 or -1 with a message on stderr. */
int  sim_out_open(sim_outfile *o, const char *dir, const char *name);
int  sim_out_commit(sim_outfile *o);                   /* flush, close, rename; 0 or -1 */
void sim_out_abort(sim_outfile *o);                    /* close and remove the temporary */

#endif
