# layers.mk — the layers of the source tree, top to bottom, and what each may
# include. One table for the build (Makefile: each directory compiles with
# exactly these -I paths) and for scripts/check-layers.sh (fails on any
# #include "x.h" that resolves outside them). docs/architecture.md draws it.
#   LAYER_<dir>  the directories whose headers <dir>'s files may include,
#                its own first; everything else is an upward or sideways
#                include and does not compile.
#   PUBLIC_<dir> when set, the only headers of <dir> that other layers may
#                include (the rest are the layer's internals).
LAYERS                := cli bench bench/peers live sim/model sim/scenario sim/engine sim/util policies
LAYER_cli             := cli bench live sim/model sim/scenario sim/engine sim/util policies
LAYER_bench           := bench sim/model sim/scenario sim/engine sim/util policies
# the bench model as plain C on the engine (bench/peers/bare_model.c): no model layers
LAYER_bench/peers     := bench/peers sim/engine policies
LAYER_live            := live sim/model sim/scenario sim/engine sim/util policies
LAYER_sim/model       := sim/model sim/scenario sim/engine sim/util policies
LAYER_sim/scenario    := sim/scenario sim/util policies
LAYER_sim/engine      := sim/engine policies
LAYER_sim/util        := sim/util
LAYER_policies        := policies
# libretrypol's API: the headers `make install` installs (retrypol.h includes
# them all); its other headers (pol_internal.h, pol_lex.h) are internal.
# One line: scripts/check-layers.sh reads no continuation lines.
PUBLIC_policies       := retrypol.h pol_version.h pol_common.h pol_backoff.h pol_hint.h pol_classify.h pol_retry.h pol_layers.h pol_preset.h pol_failmask.h pol_window.h pol_breaker.h pol_bucket.h pol_budget.h pol_throttle.h pol_quota.h pol_lb.h pol_cooldown.h pol_hedge.h pol_bulkhead.h pol_monitor.h pol_stack.h
# tests may look inside any layer (white-box unit tests)
LAYER_tests           := tests cli bench live sim/model sim/scenario sim/engine sim/util policies
PUBLIC_sim/model      := model.h
