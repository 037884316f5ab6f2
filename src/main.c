/*
 * projsync - main.c: the program's entry point.  Sets the locale, initializes
 * the database drivers and hands argv to the command line.
 */
#include "projsync/common.h"
#include "projsync/cli.h"
#include "projsync/db.h"

#include <locale.h>

int
main(int argc, char **argv)
{
	struct ps_error	err;

	setlocale(LC_ALL, "");
	ps_error_clear(&err);
	if (db_global_init(&err) != 0) {
		fprintf(stderr, "projsync: %s\n", err.msg);
		return 1;
	}
	return cli_main(argc, argv);
}
