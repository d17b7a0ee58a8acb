/* live_util.c — clocks, safety checks and OS helpers shared by `retrysim
 * live` and `retrysim mock`, and the mock's shell world (see live_util.h). */
#define _GNU_SOURCE 1      /* ppoll, accept4 */
#include "live_util.h"
#include "units.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

/* ---------------------------------------------------------------- clocks --- */
static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * POL_NS_PER_S + ts.tv_nsec;
}

int64_t live_mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
int64_t live_wall_ns(void) { return clock_ns(CLOCK_REALTIME); }

void live_clock_start(live_clock *c, double scale, pol_ns at)
{
    c->scale = scale > 0 ? scale : 1;
    c->t0 = live_mono_ns() - (int64_t)((double)at / c->scale);
}

pol_ns live_clock_now(const live_clock *c)
{
    int64_t d = live_mono_ns() - c->t0;
    return d <= 0 ? 0 : (pol_ns)((double)d * c->scale);
}

int64_t live_to_wall(const live_clock *c, pol_ns d) { return (int64_t)ceil((double)d / c->scale); }
pol_ns  live_to_scenario(const live_clock *c, int64_t wall) { return (pol_ns)((double)wall * c->scale); }

/* ------------------------------------------------------------- options --- */
int live_parse_scale(const char *s, double *out)
{
    double v;
    if (sim_parse_double(s, &v) || !(v > 0) || v > 1e6) return POL_EINVAL;
    *out = v;
    return POL_OK;
}

/* ---------------------------------------------------------------- safety --- */
int live_host_is_loopback(const char *host)
{
    if (!host || !*host) return 0;
    if (!strcasecmp(host, "localhost")) return 1;
    char h[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(host);
    if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
        if (n - 2 >= sizeof h) return 0;
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
    } else {
        if (n >= sizeof h) return 0;
        memcpy(h, host, n + 1);
    }
    struct in_addr a4;
    if (inet_pton(AF_INET, h, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, h, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return 1;
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    return 0;
}

static int copy_part(CURLU *u, CURLUPart part, char *buf, size_t cap)
{
    char *v = NULL;
    if (curl_url_get(u, part, &v, 0) != CURLUE_OK || !v) return -1;
    size_t n = strlen(v);
    int rc = n < cap ? 0 : -1;
    if (!rc) memcpy(buf, v, n + 1);
    curl_free(v);
    return rc;
}

int live_url_parts(const char *url, char *host, size_t cap, int *https, char *path, size_t pcap)
{
    CURLU *u = curl_url();
    char scheme[16];
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) goto out;
    if (copy_part(u, CURLUPART_SCHEME, scheme, sizeof scheme)) goto out;
    if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) goto out;
    *https = !strcasecmp(scheme, "https");
    if (copy_part(u, CURLUPART_HOST, host, cap)) goto out;
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
    }
    if (copy_part(u, CURLUPART_PATH, path, pcap)) goto out;
    if (!path[0] && pcap > 1) strcpy(path, "/");
    rc = 0;
out:
    curl_url_cleanup(u);
    return rc;
}

/* ------------------------------------------------------------------- OS --- */
void live_raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static volatile sig_atomic_t stop_flag;
static sigset_t wait_mask;            /* the mask live_wait unblocks the stop signals with */

static void on_stop_signal(int sig) { (void)sig; stop_flag = 1; }

void live_signals_setup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
}

int live_stop_requested(void) { return stop_flag != 0; }

int live_wait(const int *fds, int nfds, int64_t timeout_ns, int *ready)
{
    struct pollfd p[8];
    int n = nfds < 8 ? nfds : 8;
    for (int i = 0; i < n; i++) {
        p[i].fd = fds[i];
        p[i].events = POLLIN;
        p[i].revents = 0;
        ready[i] = 0;
    }
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / POL_NS_PER_S);
        ts.tv_nsec = (long)(timeout_ns % POL_NS_PER_S);
        tp = &ts;
    }
    int rc = ppoll(p, (nfds_t)n, tp, &wait_mask);
    if (rc <= 0) return 0;
    for (int i = 0; i < n; i++) ready[i] = p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
    return rc;
}

int live_fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;                     /* the directory stream's own descriptor */
}

long live_peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* --------------------------------------------------------------- buffers --- */
static int buf_reserve(live_buf *b, size_t need, size_t max)
{
    if (b->bad || need > max) { b->bad = 1; return -1; }
    if (need <= b->cap) return 0;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < need) nc *= 2;
    char *ns = realloc(b->s, nc);
    if (!ns) { b->bad = 1; return -1; }
    b->s = ns;
    b->cap = nc;
    return 0;
}

void live_buf_add(live_buf *b, const void *p, size_t n, size_t max)
{
    if (buf_reserve(b, b->len + n + 1, max)) return;
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void live_buf_printf(live_buf *b, const char *fmt, ...)
{
    for (int pass = 0; pass < 2 && !b->bad; pass++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) { b->bad = 1; return; }
        if (b->s && b->len + (size_t)n < b->cap) { b->len += (size_t)n; return; }
        buf_reserve(b, b->len + (size_t)n + 1, SIZE_MAX);
    }
}

void live_buf_free(live_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

