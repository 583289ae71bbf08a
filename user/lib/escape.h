/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one escaping rule for text meant for people (live text output,
 * `report` and `replay` text, stderr messages, check-config): a name taken
 * from the system (a process name, a file name, a command line) must not
 * move the cursor, recolour the terminal, end a line, reorder what follows
 * it, hide characters or pass for an escape. Printed as \-sequences:
 *
 *   \\            the backslash itself, so "\x0a" typed in a name stays
 *                 distinguishable from an escaped newline (\\x0a)
 *   \xNN          C0 controls and DEL, and every byte that is not part of
 *                 valid UTF-8 (overlong forms, surrogates, stray bytes)
 *   \uXXXX        C1 controls (U+0080..U+009F) and invisible format
 *   \UXXXXXXXX    characters: bidi embeddings, overrides, isolates and
 *                 marks, zero-width characters, line and paragraph
 *                 separators, the soft hyphen, BOM, tag characters
 *
 * Everything else, including printable UTF-8, is copied as it is. JSON and
 * journald fields are not escaped this way: they carry the bytes exactly.
 */
#ifndef FW_ESCAPE_H
#define FW_ESCAPE_H

#include <stddef.h>

/* A buffer this big holds the escaped form of n input bytes and the NUL */
#define FW_ESCAPE_SIZE(n) (4 * (n) + 1)

/* Writes the escaped form of in to out (always NUL-terminated when size
 * > 0). When out is too small, stops before the first sequence that does
 * not fit, never inside one. Returns the length written. */
size_t fw_escape(const char *in, char *out, size_t size);
/* The escaped form in a new string (aborts when out of memory) */
char *fw_escape_dup(const char *in);

#endif /* FW_ESCAPE_H */
