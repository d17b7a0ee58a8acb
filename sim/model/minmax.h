/* minmax.h — internal to sim/model: fmin and fmax, inline, for operands
 * that are never NaN (the provider model's token counts, bucket depths and
 * waits). They give the same doubles as libm's fmin and fmax (of an equal
 * pair, +0 and -0 too, the first operand) without a call and the registers
 * it spills; test_world.c compares them with libm's over many pairs.
 */
#ifndef SIM_MINMAX_H
#define SIM_MINMAX_H

static inline double sim_min_d(double a, double b) { return b < a ? b : a; }
static inline double sim_max_d(double a, double b) { return b > a ? b : a; }

#endif
