/*
 * projsync - cli.h: the command line (SPEC section 7).  main.c hands argv to
 * cli_main(), which returns the process exit status: 0 success, 1 failure, 2
 * usage error, 3 conflicts pending (or schema differences found).
 */
#ifndef PROJSYNC_CLI_H
#define PROJSYNC_CLI_H

int	cli_main(int argc, char **argv);

#endif
