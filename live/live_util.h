/* live_util.h — what the live driver (live.c) and the mock provider (mock.c)
 * share: the scenario clock, safety checks, a few operating-system helpers.
 *
 * Scenario clock: scenario time = (CLOCK_MONOTONIC - t0) x scale, where
 * scale is --time-scale (a scale of 10 plays a 5-minute scenario in 30 s of
 * wall time). Both programs keep every model quantity (timeline, token
 * buckets, latencies, policy delays, metric buckets) in scenario time and
 * convert only at the edges: timer waits and HTTP headers are wall time.
 *
 * Nothing here allocates per request; cost is O(1) per call except
 * live_fd_count (O(open descriptors)).
 */
#ifndef LIVE_UTIL_H
#define LIVE_UTIL_H
#include "model.h"
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* ---- clocks --------------------------------------------------------------- */
typedef struct {
    int64_t t0;       /* CLOCK_MONOTONIC ns at scenario time 0 */
    double  scale;    /* scenario ns per wall ns, > 0 */
} live_clock;

int64_t live_mono_ns(void);
int64_t live_wall_ns(void);                     /* CLOCK_REALTIME, Unix ns */
/* Starts the clock so that now is scenario time `at`. */
void    live_clock_start(live_clock *c, double scale, pol_ns at);
pol_ns  live_clock_now(const live_clock *c);
/* Scenario duration d as wall ns (d / scale), and back. */
int64_t live_to_wall(const live_clock *c, pol_ns d);
pol_ns  live_to_scenario(const live_clock *c, int64_t wall);

/* ---- command-line values -------------------------------------------------- */
int live_parse_scale(const char *s, double *out);   /* a finite number in (0, 1e6] */

/* ---- safety ---------------------------------------------------------------- */
/* 1 when host is a loopback name or address: localhost (and *.localhost),
 * 127.0.0.0/8, ::1 (bracketed or not), ::ffff:127.x.y.z; else 0. */
int live_host_is_loopback(const char *host);
/* Splits an http(s) URL with libcurl's URL API: host (no brackets) into
 * host[cap], *https = 1 for https, path into path[pcap] ("/" when empty).
 * Returns 0, or -1 for a URL that is not absolute http/https. */
int live_url_parts(const char *url, char *host, size_t cap, int *https, char *path, size_t pcap);

/* ---- operating system ------------------------------------------------------ */
/* Raises the soft limit of open files to the hard limit (1000 connections
 * need more than the common default of 1024). */
void live_raise_nofile(void);
/* Blocks SIGINT and SIGTERM (they are delivered only inside live_wait, so a
 * stop request never interrupts a callback half-way), installs a handler that
 * sets the stop flag, ignores SIGPIPE. */
void live_signals_setup(void);
int  live_stop_requested(void);
/* Waits up to timeout_ns (< 0 = forever) for readability of the fds (-1
 * entries ignored) or a stop signal. Returns the number of ready fds, 0 on
 * timeout or signal; ready[i] tells which. */
int  live_wait(const int *fds, int nfds, int64_t timeout_ns, int *ready);
int  live_fd_count(void);          /* entries of /proc/self/fd, -1 if unknown */
long live_peak_rss_kb(void);       /* getrusage ru_maxrss */

/* ---- growing buffers ------------------------------------------------------- */
/* A heap string that stays NUL-terminated. After a failed allocation (or an
 * append that would pass max) `bad` is set and later appends do nothing;
 * s stays valid (NULL until the first successful append). */
typedef struct { char *s; size_t len, cap; int bad; } live_buf;

void live_buf_add(live_buf *b, const void *p, size_t n, size_t max);
void live_buf_printf(live_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void live_buf_free(live_buf *b);

#endif
