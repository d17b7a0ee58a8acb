/* retrypol.h — umbrella header of libretrypol, the retry policy library of
 * retrysim. Production clients include this one header and link -lretrypol
 * (pkg-config --cflags --libs retrypol). See docs/policies.md. It includes
 * every installed header (each also compiles alone, from C or C++, and gives
 * its declarations C linkage itself); the list is PUBLIC_policies in
 * layers.mk, and pol_internal.h / pol_lex.h are the library's own, never
 * installed. */
#ifndef RETRYPOL_H
#define RETRYPOL_H
#include "pol_version.h"
#include "pol_common.h"
#include "pol_backoff.h"
#include "pol_hint.h"
#include "pol_classify.h"
#include "pol_retry.h"
#include "pol_layers.h"
#include "pol_preset.h"
#include "pol_failmask.h"
#include "pol_window.h"
#include "pol_breaker.h"
#include "pol_bucket.h"
#include "pol_budget.h"
#include "pol_throttle.h"
#include "pol_quota.h"
#include "pol_lb.h"
#include "pol_cooldown.h"
#include "pol_hedge.h"
#include "pol_bulkhead.h"
#include "pol_monitor.h"
#include "pol_stack.h"
#endif
