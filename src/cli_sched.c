/*
 * projsync - cli_sched.c: placeholder.
 */
#include "projsync/common.h"
