/*
 * projsync - common.h: the umbrella header every source file includes first.
 * It pulls in config.h, the standard headers the project relies on, and the
 * small always-present modules: allocation, errors and string buffers.
 */
#ifndef PROJSYNC_COMMON_H
#define PROJSYNC_COMMON_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "projsync/xmalloc.h"
#include "projsync/error.h"
#include "projsync/strbuf.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

#if defined(__GNUC__)
#define PS_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define PS_NORETURN	__attribute__((noreturn))
#define PS_UNUSED	__attribute__((unused))
#else
#define PS_PRINTF(f, a)
#define PS_NORETURN
#define PS_UNUSED
#endif

#endif
