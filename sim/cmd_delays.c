/* cmd_delays.c — the `retrysim delays` verb (work in progress). */
#include <stdio.h>
#include "cli.h"

int cmd_delays(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "retrysim delays: not implemented yet\n");
    return 2;
}
