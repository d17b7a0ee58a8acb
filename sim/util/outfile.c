/* outfile.c — atomic output files, the temporaries' registry, locked output
 * directories and the cleanup on SIGINT/SIGTERM (see outfile.h).
 *
 * What the signal handler reads is static: fixed arrays of paths, each
 * published by a sig_atomic_t flag that is set only after the path is
 * written (a signal fence orders the two) and cleared only after the file
 * is renamed or removed. The handler therefore sees, for every slot, either
 * nothing or a complete path; unlinking a path that was just renamed away
 * fails with ENOENT and is harmless. It calls only async-signal-safe
 * functions (unlink, rmdir, kill, waitpid, write, getpid, _exit, signal,
 * raise).
 */
#include "outfile.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMP_SLOTS   64
#define TMP_PATH    1100
#define DIR_SLOTS   4
#define DIR_PATH    1024
#define MAX_LEVELS  32

/* ------------------------------------------------------------ registry --- */

static char g_tmp[TMP_SLOTS][TMP_PATH];
static volatile sig_atomic_t g_tmp_used[TMP_SLOTS];
static volatile sig_atomic_t g_child;          /* a child writing tracked files, or 0 */
static volatile sig_atomic_t g_owner;          /* the pid whose registry this is (0: not yet) */

typedef struct {
    volatile sig_atomic_t used;
    int    fd;                       /* the lock file, locked; -1 */
    int    ncreated;                 /* levels created by this process, shallowest first */
    size_t created[MAX_LEVELS];      /* their lengths as prefixes of dir */
    char   dir[DIR_PATH];
    char   lock[DIR_PATH + 32];
} held_dir;
static held_dir g_dir[DIR_SLOTS];

static void publish(volatile sig_atomic_t *flag, int v)
{
    atomic_signal_fence(memory_order_seq_cst);   /* the path is written before the flag says so */
    *flag = v;
    atomic_signal_fence(memory_order_seq_cst);
}

/* a forked child: its copies of the lock descriptors are closed (not
 * unlocked: the lock belongs to the open file, which the parent keeps), and
 * its signal handler must not clean up the parent's files */
static void at_fork_child(void)
{
    for (int i = 0; i < DIR_SLOTS; i++) {
        if (g_dir[i].used && g_dir[i].fd >= 0) close(g_dir[i].fd);
        g_dir[i].fd = -1;
        g_dir[i].used = 0;
    }
    for (int i = 0; i < TMP_SLOTS; i++) g_tmp_used[i] = 0;
    g_child = 0;
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, at_fork_child);
}

static void ensure_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_atfork);
    if (g_owner != (sig_atomic_t)getpid()) g_owner = (sig_atomic_t)getpid();
}

int sim_out_track(const char *path)
{
    ensure_init();
    size_t n = strlen(path);
    if (n >= TMP_PATH) return 0;
    for (int i = 0; i < TMP_SLOTS; i++) {
        if (g_tmp_used[i]) continue;
        memcpy(g_tmp[i], path, n + 1);
        publish(&g_tmp_used[i], 1);
        return i + 1;
    }
    return 0;
}

void sim_out_untrack(int handle)
{
    if (handle > 0 && handle <= TMP_SLOTS) publish(&g_tmp_used[handle - 1], 0);
}

void sim_out_child(pid_t pid)
{
    ensure_init();
    publish(&g_child, (sig_atomic_t)pid);
}

/* ------------------------------------------------------------- files --- */

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
    o->slot = sim_out_track(o->tmp);           /* before the file exists: a signal cannot miss it */
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        fprintf(stderr, "retrysim: cannot write %s: %s\n", o->tmp, strerror(errno));
        sim_out_untrack(o->slot);
        o->slot = 0;
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
        sim_out_untrack(o->slot);
        o->slot = 0;
        return -1;
    }
    sim_out_untrack(o->slot);                  /* after the rename: the handler's unlink then finds nothing */
    o->slot = 0;
    return 0;
}

void sim_out_abort(sim_outfile *o)
{
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
    sim_out_untrack(o->slot);
    o->slot = 0;
}

pid_t sim_out_tmp_pid(const char *name)
{
    if (name[0] != '.') return 0;
    long best = 0;
    for (const char *p = strstr(name + 1, ".tmp."); p; p = strstr(p + 1, ".tmp.")) {
        if (p == name + 1) continue;                       /* NAME is empty */
        const char *d = p + 5;
        long v = 0;
        int nd = 0;
        while (*d >= '0' && *d <= '9' && nd < 10) { v = v * 10 + (*d - '0'); d++; nd++; }
        if (nd && (*d == '\0' || *d == '.') && v > 0 && v <= INT_MAX) best = v;   /* the last match: NAME may hold ".tmp.N" */
    }
    return (pid_t)best;
}

/* ------------------------------------------------------- directories --- */

static const char *kind_of(mode_t m)
{
    return S_ISREG(m) ? "a regular file" : S_ISLNK(m) ? "a symbolic link" : S_ISFIFO(m) ? "a FIFO"
         : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISDIR(m) ? "a directory" : "not a directory";
}

/* Why mkdir of the prefix `at` of a path failed with errno e: what exists there. */
static void explain(const char *path, size_t at, int e, char *why, size_t cap)
{
    char buf[DIR_PATH];
    size_t n = strlen(path);
    memcpy(buf, path, n + 1);
    if (e == ENOTDIR || e == EEXIST || e == ENOENT) {
        /* the first component that exists but is not a directory (or dangles) */
        for (size_t i = 1; i <= n; i++) {
            if (buf[i] != '/' && buf[i] != '\0') continue;
            char c = buf[i];
            buf[i] = '\0';
            struct stat ls, st;
            if (lstat(buf, &ls) == 0) {
                int is_dir = stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
                if (!is_dir) {
                    if (S_ISLNK(ls.st_mode)) {
                        char to[DIR_PATH];
                        ssize_t k = readlink(buf, to, sizeof to - 1);
                        to[k > 0 ? k : 0] = '\0';
                        if (stat(buf, &st) != 0) snprintf(why, cap, "'%s' is a symbolic link to '%s', which does not exist", buf, to);
                        else snprintf(why, cap, "'%s' is a symbolic link to '%s', %s, not a directory", buf, to, kind_of(st.st_mode));
                    } else {
                        snprintf(why, cap, "'%s' exists and is %s, not a directory", buf, kind_of(ls.st_mode));
                    }
                    return;
                }
            }
            buf[i] = c;
        }
    }
    memcpy(buf, path, n + 1);
    buf[at] = '\0';
    char parent[DIR_PATH];
    snprintf(parent, sizeof parent, "%s", buf);
    char *slash = strrchr(parent, '/');
    if (slash == parent) parent[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(parent, sizeof parent, ".");
    struct stat ps;
    if ((e == EACCES || e == EPERM) && stat(parent, &ps) == 0)
        snprintf(why, cap, "cannot create '%s': %s ('%s' is a directory of mode %04o owned by uid %ld)", buf, strerror(e),
                 parent, (unsigned)(ps.st_mode & 07777), (long)ps.st_uid);
    else snprintf(why, cap, "cannot create '%s': %s", buf, strerror(e));
}

static void rmdir_created(const held_dir *d)
{
    char buf[DIR_PATH];
    size_t n = 0;
    while (d->dir[n]) { buf[n] = d->dir[n]; n++; }
    buf[n] = '\0';
    for (int i = d->ncreated - 1; i >= 0; i--) {
        buf[d->created[i]] = '\0';
        if (rmdir(buf) != 0) break;              /* not empty: what is in it is not ours to remove */
    }
}

/* mkdir -p, remembering the levels created. 0, or -1 with why set (and the
 * levels created so far removed again). */
static int make_dirs(held_dir *d, char *why, size_t cap)
{
    char buf[DIR_PATH];
    size_t n = strlen(d->dir);
    memcpy(buf, d->dir, n + 1);
    d->ncreated = 0;
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        if (buf[i] == '/' && buf[i - 1] == '/') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) == 0) {
            if (d->ncreated < MAX_LEVELS) d->created[d->ncreated++] = i;
        } else if (errno != EEXIST) {
            int e = errno;
            explain(d->dir, i, e, why, cap);
            rmdir_created(d);
            d->ncreated = 0;
            return -1;
        }
        buf[i] = c;
    }
    struct stat st;
    if (stat(d->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        explain(d->dir, n, stat(d->dir, &st) != 0 ? errno : ENOTDIR, why, cap);
        rmdir_created(d);
        d->ncreated = 0;
        return -1;
    }
    return 0;
}

/* The holder's "PID WHO on HOST" from a lock file that someone else holds
 * (it writes it just after locking: wait a little for it). */
static void read_holder(int fd, char *out, size_t cap, long *pid)
{
    *pid = 0;
    out[0] = '\0';
    for (int i = 0; i < 50; i++) {
        char b[256];
        ssize_t k = pread(fd, b, sizeof b - 1, 0);
        if (k > 0) {
            b[k] = '\0';
            b[strcspn(b, "\n")] = '\0';
            char *end = NULL;
            long v = strtol(b, &end, 10);
            if (end != b && v > 0) {
                *pid = v;
                while (*end == ' ') end++;
                snprintf(out, cap, "%s", end);
                return;
            }
        }
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* The stale temporaries of d->dir: regular files named .NAME.tmp.PID[.EXT]
 * whose PID does not exist here. Returns how many were removed. */
static int sweep_stale(const held_dir *d, const char *who)
{
    DIR *dd = opendir(d->dir);
    if (!dd) return 0;
    int removed = 0, npids = 0;
    long pids[3];
    struct dirent *e;
    while ((e = readdir(dd))) {
        pid_t pid = sim_out_tmp_pid(e->d_name);
        if (pid <= 0) continue;
        char path[DIR_PATH + 300];
        if (snprintf(path, sizeof path, "%s/%s", d->dir, e->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!(kill(pid, 0) == -1 && errno == ESRCH)) continue;   /* alive (or not ours to signal): keep */
        if (unlink(path) != 0) continue;
        removed++;
        int seen = 0;
        for (int i = 0; i < npids; i++) seen |= pids[i] == (long)pid;
        if (!seen && npids < 3) pids[npids++] = (long)pid;
    }
    closedir(dd);
    if (removed) {
        char list[96] = "";
        size_t n = 0;
        for (int i = 0; i < npids; i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%ld", i ? ", " : "", pids[i]);
        fprintf(stderr, "%s: note: removed %d temporary file%s left in %s by pid%s %s%s (no longer running)\n", who, removed,
                removed == 1 ? "" : "s", d->dir, npids > 1 ? "s" : "", list, npids == 3 ? ", ..." : "");
    }
    return removed;
}

int sim_outdir_open(const char *dir, unsigned flags, const char *who)
{
    ensure_init();
    int h = -1;
    for (int i = 0; i < DIR_SLOTS && h < 0; i++) if (!g_dir[i].used) h = i;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;              /* "out/" is "out" */
    if (h < 0 || n == 0 || n >= DIR_PATH) {
        fprintf(stderr, "%s: cannot create output directory '%s': %s\n", who, dir,
                h < 0 ? "too many output directories" : n == 0 ? "empty path" : "path too long");
        return -1;
    }
    held_dir *d = &g_dir[h];
    memset(d, 0, sizeof *d);
    d->fd = -1;
    memcpy(d->dir, dir, n);
    d->dir[n] = '\0';
    memcpy(d->lock, dir, n);
    memcpy(d->lock + n, "/" SIM_OUT_LOCK_NAME, sizeof("/" SIM_OUT_LOCK_NAME));
    char why[DIR_PATH * 2 + 200];
    sim_out_hold_signals();
    int rc = make_dirs(d, why, sizeof why);
    if (rc == 0) publish(&d->used, 1);                   /* from now on a signal removes what was created */
    sim_out_release_signals();
    if (rc) {
        fprintf(stderr, "%s: cannot create output directory '%s': %s\n", who, d->dir, why);
        return -1;
    }
    if (!(flags & SIM_OUTDIR_LOCK)) return h;
    for (int tries = 0;; tries++) {
        int fd = open(d->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            fprintf(stderr, "%s: cannot write in output directory '%s': cannot create %s: %s\n", who, d->dir, d->lock,
                    strerror(errno));
            sim_outdir_close(h, 1);
            return -1;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            if (e == EINTR && tries < 100) { close(fd); continue; }
            if (e == EWOULDBLOCK) {
                char info[256];
                long pid;
                read_holder(fd, info, sizeof info, &pid);
                close(fd);
                if (pid > 0)
                    fprintf(stderr, "%s: %s is in use by pid %ld (%s; lock %s): wait for it to finish, or choose another "
                            "output directory\n", who, d->dir, pid, info[0] ? info : "retrysim", d->lock);
                else
                    fprintf(stderr, "%s: %s is in use by another process (lock %s): wait for it to finish, or choose "
                            "another output directory\n", who, d->dir, d->lock);
                sim_outdir_close(h, 1);
                return -1;
            }
            /* a file system without locks: go on unprotected, and remove nothing */
            fprintf(stderr, "%s: note: cannot lock %s (%s): a second process writing into %s would not be detected\n",
                    who, d->lock, strerror(e), d->dir);
            close(fd);
            return h;
        }
        struct stat a, b;
        if (fstat(fd, &a) != 0 || stat(d->lock, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
            close(fd);                                   /* its holder unlinked it as we locked it: start over */
            if (tries < 100) continue;
            fprintf(stderr, "%s: %s keeps changing: another process is taking and releasing %s\n", who, d->lock, d->dir);
            sim_outdir_close(h, 1);
            return -1;
        }
        char host[256] = "?", info[400];
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        int k = snprintf(info, sizeof info, "%ld %s on %s\n", (long)getpid(), who, host);
        if (ftruncate(fd, 0) != 0 || pwrite(fd, info, (size_t)k, 0) != k) { /* the pid is informative only */ }
        d->fd = fd;
        break;
    }
    sweep_stale(d, who);
    return h;
}

void sim_outdir_close(int h, int failed)
{
    if (h < 0 || h >= DIR_SLOTS || !g_dir[h].used) return;
    held_dir *d = &g_dir[h];
    sim_out_hold_signals();
    if (d->fd >= 0) {
        unlink(d->lock);                                 /* before the lock goes: a taker re-checks the path */
        close(d->fd);
        d->fd = -1;
    }
    if (failed) rmdir_created(d);
    publish(&d->used, 0);
    sim_out_release_signals();
}

/* ------------------------------------------------------------- signals --- */

static const char *g_who = "retrysim";
static int g_tty;

/* Returns how many temporaries it removed. */
static int cleanup(void)
{
    int removed = 0;
    pid_t child = (pid_t)g_child;
    if (child > 0) {
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
    }
    for (int i = 0; i < TMP_SLOTS; i++)
        if (g_tmp_used[i] && unlink(g_tmp[i]) == 0) removed++;
    for (int i = 0; i < DIR_SLOTS; i++) {
        held_dir *d = &g_dir[i];
        if (!d->used) continue;
        if (d->fd >= 0) unlink(d->lock);                 /* the lock itself goes with the process */
        rmdir_created(d);
    }
    return removed;
}

void sim_out_cleanup(void)
{
    int e = errno;
    cleanup();
    errno = e;
}

static size_t put(char *b, size_t n, size_t cap, const char *s)
{
    while (*s && n + 1 < cap) b[n++] = *s++;
    return n;
}

static size_t put_num(char *b, size_t n, size_t cap, long v)
{
    char t[24];
    int k = 0;
    if (v < 0) v = 0;
    do { t[k++] = (char)('0' + v % 10); v /= 10; } while (v && k < 23);
    while (k && n + 1 < cap) b[n++] = t[--k];
    return n;
}

static void on_exit_signal(int sig)
{
    if ((sig_atomic_t)getpid() != g_owner) {         /* a forked child that kept the handler */
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
    }
    int files = cleanup();
    char b[512];
    size_t n = 0;
    if (g_tty) n = put(b, n, sizeof b, "\n");
    n = put(b, n, sizeof b, g_who);
    n = put(b, n, sizeof b, ": interrupted by signal ");
    n = put_num(b, n, sizeof b, sig);
    n = put(b, n, sizeof b, sig == SIGINT ? " (Interrupt)" : sig == SIGTERM ? " (Terminated)" : "");
    if (files) {
        n = put(b, n, sizeof b, "; removed ");
        n = put_num(b, n, sizeof b, files);
        n = put(b, n, sizeof b, files == 1 ? " unfinished output file" : " unfinished output files");
    }
    n = put(b, n, sizeof b, "\n");
    (void)!write(STDERR_FILENO, b, n);
    _exit(130);
}

void sim_out_exit_on_signal(const char *who)
{
    ensure_init();
    g_who = who;
    g_tty = isatty(STDERR_FILENO);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_exit_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static sigset_t g_held_old;
static int g_held;

void sim_out_hold_signals(void)
{
    if (g_held++) return;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, &g_held_old);
}

void sim_out_release_signals(void)
{
    if (g_held <= 0 || --g_held) return;
    sigprocmask(SIG_SETMASK, &g_held_old, NULL);
}
