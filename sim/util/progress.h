/* progress.h — a progress bar on stderr (runs done/total, elapsed, ETA),
 * drawn only when stderr is a terminal and at most 10 times a second. */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H
#include <stdint.h>

typedef struct {
    int      enabled;
    uint64_t total, done;
    int64_t  start_ns, last_draw_ns;
    const char *label;
} sim_progress;

void sim_progress_begin(sim_progress *p, const char *label, uint64_t total, int want);
void sim_progress_step(sim_progress *p, uint64_t done);
void sim_progress_end(sim_progress *p);

#endif
