/* tune.h — `retrysim tune`: a search over scenario overrides for the point
 * that minimises (or maximises) the replication mean of one metric subject
 * to bounds on others (docs/cli.md, "retrysim tune").
 *
 * Phases: a space-filling start (a Sobol sequence, gsl_qrng_sobol, over all
 * parameters in unit coordinates), then Nelder-Mead (GSL's nmsimplex2) on the
 * continuous parameters from the best start point (integer parameters stay
 * at that point's values), then a confirmation that adds replications to the
 * best two points while their 95% CIs of the objective overlap, up to a cap.
 * Every point runs the same replications (same scenario seed): common random
 * numbers, so two points differ by their parameters, not by their luck.
 * Each evaluation is a sweep (sweep.h) of one or more points x the tuned
 * policy x replications, run by the sweep executor (forked workers or MPI
 * ranks); replications a point already has are filled in, not rerun.
 * Constraints are evaluated on the replication mean, or on a bound of the
 * 95% CI; an infeasible point's penalised objective (tune_penalized) lies
 * above every start point's objective and falls with its total relative
 * violation, so the simplex walks back to feasibility.
 * Values are rounded to 4 significant digits (integers to integers) and
 * written as the override text ("12.35ms", "0.25", "3"), so the text is
 * exactly what was run; equal texts are one point (evaluated once).
 * Cost: memory is SIM_M__COUNT doubles per run; every evaluation loads the
 * scenario once per point.
 */
#ifndef BENCH_TUNE_H
#define BENCH_TUNE_H
#include "sweep.h"

#define TUNE_MAX_PARAMS 16
#define TUNE_MAX_CONS   16

/* ---- parameters: "KEY=LO..HI[:lin|:log|:int]" ---------------------------- */
typedef enum { TUNE_LIN = 0, TUNE_LOG, TUNE_INT } tune_scale;
typedef struct {
    char       key[SIM_PATH_MAX];
    int        duration;      /* bounds written with a time unit: values are ns */
    tune_scale scale;
    double     lo, hi;        /* lo < hi; LOG: lo > 0; INT: integers */
} tune_param;

/* Parses a --param; 0, or -1 with a message in err. */
int    tune_param_parse(const char *spec, tune_param *out, char *err, size_t cap);
/* The value at unit coordinate u (clamped to [0, 1]): lin lo + u(hi-lo),
 * log lo (hi/lo)^u, int the u-th of the hi-lo+1 integers; rounded as the
 * override text is (4 significant digits), its text into buf. */
double tune_param_value(const tune_param *p, double u, char *buf, size_t cap);
/* The unit coordinate of a value (inverse of the above, before rounding). */
double tune_param_unit(const tune_param *p, double v);
/* The override text of a value: "12.35ms" (durations, best unit), "0.25", "3". */
char  *tune_param_format(const tune_param *p, double v, char *buf, size_t cap);

/* ---- constraints: "METRIC<=V" or "METRIC>=V", then ":mean|:lower|:upper" -- */
typedef struct {
    char          text[160];  /* as written */
    sim_metric_id metric;
    int           ge;         /* 1: >=, 0: <= */
    double        bound;      /* base units (seconds for latencies; "2s" allowed there) */
    sim_on        on;         /* the mean (default), ci95_low (:lower) or ci95_high (:upper) */
} tune_constraint;

int    tune_constraint_parse(const char *spec, tune_constraint *out, char *err, size_t cap);
/* Relative violation of one constraint by value g: max(0, excess) / |bound|
 * (/ 1 when the bound is 0); 1 when g is undefined (NaN). */
double tune_violation(const tune_constraint *c, double g);
/* A metric by name, with "did you mean" in err when unknown; -1 then. */
int    tune_metric(const char *name, const char *what, char *err, size_t cap);

/* ---- the penalty ------------------------------------------------------------
 * o = objective mean signed so that lower is better (-mean when maximising);
 * v = total relative violation. Feasible (v == 0) with a finite o: o itself.
 * Otherwise o_ref + delta (1 + v + [o undefined]), where o_ref is the worst
 * finite o of the start phase and delta = max(o_ref - o_best, 0.1 |o_ref|,
 * 1e-9): worse than every start point, and lower the less it violates. */
double tune_penalized(double o, double v, double o_ref, double delta);
/* Constants of the penalty from the start phase's signed objectives. */
void   tune_penalty_scale(const double *o, size_t n, double *o_ref, double *delta);

/* ---- the search ------------------------------------------------------------ */
enum { TUNE_START = 0, TUNE_SIMPLEX, TUNE_CONFIRM };
extern const char *const TUNE_PHASE[3];   /* "start", "simplex", "confirm" */

typedef struct {
    const char        *path;          /* scenario */
    const char *const *base;          /* --set, seed=: before each point's overrides */
    int                nbase;
    const char        *policy;        /* the policy tuned */
    tune_param         param[TUNE_MAX_PARAMS];
    int                nparam;
    sim_metric_id      objective;
    int                minimize;
    tune_constraint    cons[TUNE_MAX_CONS];
    int                ncons;
    int                reps;          /* replications per evaluation */
    int                max_reps;      /* cap of the confirmation */
    size_t             budget;        /* runs */
    bench_exec_opts    exec;          /* forked workers or MPI */
    int                progress;      /* a bar on stderr over the budget */
} tune_problem;

typedef struct {                      /* one point: a setting of the parameters */
    char            **text;           /* [nparam] override values */
    double           *x;              /* [nparam] the values (ns for durations) */
    int               reps;           /* replications run so far */
    sim_run_metrics  *m;              /* [reps] */
    double            mean, lo, hi;   /* objective at reps */
    double           *cval;           /* [ncons] the constrained values */
    double            violation;
    int               feasible;
} tune_point;

typedef struct {                      /* one evaluation: a row of tune.csv */
    int     point, phase, reps;
    double  mean, lo, hi, violation, penalized;
    double *cval;                     /* [ncons] */
    int     feasible;
} tune_eval;

typedef struct {
    tune_point *pt;    int npt;
    tune_eval  *ev;    int nev;
    size_t      runs;                 /* runs executed (not counting reused replications) */
    int         nphase[3];            /* evaluations per phase */
    double      o_ref, delta;         /* the penalty's constants */
    int         status;               /* BENCH_EXEC_* of the last execution, or 2 = bad input */
    int        *order;                /* [npt] point indices, best first (after tune_run) */
} tune_state;

/* Runs the search. Returns 0, BENCH_EXEC_STOPPED (interrupted: the state
 * holds what was evaluated), or BENCH_EXEC_FAILED / 2 with a message on
 * stderr (a point that does not load, a run that failed). */
int  tune_run(const tune_problem *P, tune_state *T);
void tune_state_free(tune_state *T, const tune_problem *P);
/* Signed objective (lower is better) of a point. */
double tune_signed(const tune_problem *P, const tune_point *p);
/* Penalised objective of a point with the state's constants. */
double tune_point_penalized(const tune_problem *P, const tune_state *T, const tune_point *p);
/* Mean and 95% CI of metric m over a point's replications. */
void tune_point_ci(const tune_point *p, sim_metric_id m, double *mean, double *lo, double *hi);

/* --emit: the point whose override texts are values[nparam] written into
 * the config (LiteLLM or Portkey) the tuned policy was imported from, as
 * DIR/<the config's file name> (dir NULL: only checked, nothing written;
 * *written gets the path). 0, or < 0 with err set (a tuned key the config
 * cannot say, a policy not imported in that format, a write error). */
#include "import.h"
int tune_emit(const tune_problem *P, char *const *values, sim_import_format fmt, const char *dir,
              char *written, size_t cap, sim_err *err);

#endif
