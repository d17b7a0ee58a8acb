/* cli.h — the verbs of the `retrysim` binary. Each verb is a function
 * taking (argc, argv) with argv[0] = the verb name, returning the process
 * exit status: 0 ok, 1 a check failed, 2 bad input or usage. */
#ifndef SIM_CLI_H
#define SIM_CLI_H

typedef int (*sim_verb_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_delays(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_mock(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* Shared helpers for verbs */
int  cli_wants_help(int argc, char **argv);         /* any -h / --help */
void cli_die_usage(const char *verb, const char *usage) __attribute__((noreturn));

#endif
