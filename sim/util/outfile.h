/* outfile.h — output files that appear whole or not at all, and output
 * directories that a signal, a crash or a second process cannot leave in a
 * mess.
 *
 * Files: written to a temporary name in the same directory, `.NAME.tmp.PID`,
 * renamed on commit, removed on abort. Every temporary is registered in a
 * fixed, process-wide table while it exists, so that a SIGINT/SIGTERM
 * handler can unlink them (unlink is async-signal-safe; the table is static
 * arrays and sig_atomic_t flags, written in an order the handler can read
 * at any instant).
 *
 * Directories (sim_outdir_open): the verb's --out is created (mkdir -p; the
 * levels this process created are remembered), locked and swept:
 *   - the lock: DIR/.retrysim.lock, flock(LOCK_EX | LOCK_NB), holding
 *     "PID WHO on HOST". A second process that finds it held exits 2 with
 *     "DIR is in use by pid N (WHO on HOST)". The kernel drops the lock when
 *     the holder dies however it dies, so a lock file left by a SIGKILL never
 *     blocks anyone. The file is unlinked when the directory is given back
 *     (and a taker checks that the file it locked is still the one at the
 *     path, else it starts over), so results directories do not keep it.
 *     Forked children close their copy of the descriptor (pthread_atfork):
 *     a sweep's workers, still finishing a run after their parent was
 *     killed, do not hold the directory.
 *   - stale temporaries: once the lock is held, a regular file of DIR named
 *     `.NAME.tmp.PID` or `.NAME.tmp.PID.EXT` whose PID does not exist on this
 *     host (kill(PID, 0) fails with ESRCH) is removed: it belongs to a
 *     process that died without cleaning up (SIGKILL, a crash, power). A
 *     live PID keeps its file — a writer that does not lock (check --junit),
 *     or an unrelated process that reuses the number (the file then goes at
 *     a later run). docs/cli.md, "Output directories", states the rule.
 *   - failure: sim_outdir_close(h, 1) (or a signal) removes the levels of
 *     DIR this process created when they are empty (rmdir only: never a file
 *     and never a directory that existed before), so a run that fails
 *     before committing anything leaves no directory behind.
 * Signals (sim_out_exit_on_signal): SIGINT/SIGTERM remove the registered
 * temporaries, give every held directory back as failed, print one line and
 * _exit(130). Verbs with their own handling (a sweep's executor, live)
 * install theirs on top and put this one back.
 */
#ifndef SIM_OUTFILE_H
#define SIM_OUTFILE_H
#include <stdio.h>
#include <sys/types.h>

typedef struct {
    FILE *f;
    char  final[1024];
    char  tmp[1100];
    int   slot;          /* registry slot + 1 of tmp, 0 = not registered */
} sim_outfile;

#define SIM_OUT_LOCK_NAME ".retrysim.lock"

int  sim_mkdirs(const char *dir);                      /* mkdir -p; 0 or -1 (errno) */
/* Opens dir/name for writing via a temporary; 0 or -1 with a message on stderr. */
int  sim_out_open(sim_outfile *o, const char *dir, const char *name);
int  sim_out_commit(sim_outfile *o);                   /* flush, close, rename; 0 or -1 */
void sim_out_abort(sim_outfile *o);                    /* close and remove the temporary */

/* The temporaries' registry, for files written by another program (plot's
 * gnuplot): track a path (copied) so that a signal removes it; returns a
 * handle > 0, or 0 when the table is full (the file is then only removed
 * by its writer, or later as a stale temporary). untrack(0) does nothing. */
int  sim_out_track(const char *path);
void sim_out_untrack(int handle);
/* A child process writing tracked temporaries: a signal kills and reaps it
 * before removing them (so it cannot write one after). 0 = none. */
void sim_out_child(pid_t pid);

enum { SIM_OUTDIR_LOCK = 1 };
/* Takes dir for this process: creates it (mkdir -p), and with
 * SIM_OUTDIR_LOCK locks it and removes its stale temporaries. who prefixes
 * the messages ("retrysim run"). Returns a handle >= 0, or -1 after one
 * message on stderr: the directory cannot be created (why, and what exists
 * there), or it is in use (by pid N). */
int  sim_outdir_open(const char *dir, unsigned flags, const char *who);
/* Gives it back: failed = 1 also removes the levels this process created,
 * if they are empty. The lock file is unlinked, then the lock released.
 * h < 0 does nothing. */
void sim_outdir_close(int h, int failed);

/* SIGINT/SIGTERM: remove every registered temporary, give every held
 * directory back as failed, print "who: interrupted by signal N (...)" and
 * _exit(130). In a forked child, the default action instead. who must
 * live for the rest of the process. */
void sim_out_exit_on_signal(const char *who);
/* The same cleanup, async-signal-safe, for a handler of the caller's. */
void sim_out_cleanup(void);
/* Blocks SIGINT/SIGTERM (hold) until release: around a group of commits
 * that must happen together (a signal then acts after the last one). */
void sim_out_hold_signals(void);
void sim_out_release_signals(void);

/* Parses a temporary's name: ".NAME.tmp.PID" or ".NAME.tmp.PID.EXT"; the
 * pid, or 0 when name is not one. */
pid_t sim_out_tmp_pid(const char *name);

#endif
