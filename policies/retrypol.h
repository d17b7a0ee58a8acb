/* retrypol.h — umbrella header of libretrypol, the retry policy library of
 * retrysim. Production clients include this one header and link -lretrypol
 * (pkg-config --cflags --libs retrypol). See docs/policies.md. */
#ifndef RETRYPOL_H
#define RETRYPOL_H
#include "pol_common.h"
#include "pol_backoff.h"
#include "pol_hint.h"
#include "pol_classify.h"
#include "pol_retry.h"
#include "pol_preset.h"
#endif
