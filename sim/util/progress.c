/* progress.c — terminal progress bar (see progress.h). Reads the monotonic
 * clock: this is UI, never simulation logic. */
#include "progress.h"
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void draw(sim_progress *p, int64_t now)
{
    double el = (double)(now - p->start_ns) / 1e9;
    double frac = p->total ? (double)p->done / (double)p->total : 1;
    double eta = frac > 0 ? el / frac - el : 0;
    int width = 30, fill = (int)(frac * width);
    fprintf(stderr, "\r%s [", p->label ? p->label : "runs");
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %llu/%llu  %.1fs elapsed  ETA %.1fs ", (unsigned long long)p->done,
            (unsigned long long)p->total, el, eta);
    fflush(stderr);
    p->last_draw_ns = now;
}

void sim_progress_begin(sim_progress *p, const char *label, uint64_t total, int want)
{
    p->enabled = want && isatty(STDERR_FILENO);
    p->total = total;
    p->done = 0;
    p->label = label;
    p->start_ns = p->last_draw_ns = mono_ns();
    if (p->enabled) draw(p, p->start_ns);
}

void sim_progress_step(sim_progress *p, uint64_t done)
{
    p->done = done;
    if (!p->enabled) return;
    int64_t now = mono_ns();
    if (now - p->last_draw_ns >= 100000000LL || done == p->total) draw(p, now);
}

void sim_progress_end(sim_progress *p)
{
    if (!p->enabled) return;
    draw(p, mono_ns());
    fputc('\n', stderr);
}
