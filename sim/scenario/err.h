/* err.h — the error of the scenario layer (one located line of text) and
 * its size limits (names and paths: longer ones are refused, not cut).
 *
 * Every loader and accessor of sim/scenario (cfg, dist, units users,
 * scenario, scenario_stateful) reports a failure by writing exactly one
 * line into a sim_err ("file:line:col: message", or "override 'k=v': ...")
 * and returning a negative code. The buffer is fixed: writers truncate with
 * snprintf, never overflow. No allocation.
 */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#define SIM_NAME_MAX   64
#define SIM_PATH_MAX   512

typedef struct { char msg[1024]; } sim_err;

/* Returned (negative) when err->msg already names its own location, a row of
 * a referenced file ("trace.csv:3:1: ..."), so the caller must not prefix it. */
#define SIM_ELOCATED (-100)

#endif
