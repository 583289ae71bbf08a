// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/escape.h"
#include "lib/util.h"

/*
 * The length of the valid UTF-8 sequence at s (1..4) with its code point in
 * *cp, or 0 when s does not start one (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). s is NUL-terminated, and NUL is
 * never a continuation byte, so reading stops at the end.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Characters that change how the rest of a line looks or hide themselves */
static bool invisible(uint32_t cp)
{
	static const struct {
		uint32_t first, last;
	} ranges[] = {
		{ 0x0080, 0x009f }, /* C1 controls (CSI is U+009B) */
		{ 0x00ad, 0x00ad }, /* soft hyphen */
		{ 0x061c, 0x061c }, /* Arabic letter mark */
		{ 0x180e, 0x180e }, /* Mongolian vowel separator */
		{ 0x200b, 0x200f }, /* zero-width space, joiners, LRM, RLM */
		{ 0x2028, 0x2029 }, /* line and paragraph separators */
		{ 0x202a, 0x202e }, /* bidi embeddings and overrides */
		{ 0x2060, 0x2064 }, /* word joiner, invisible operators */
		{ 0x2066, 0x2069 }, /* bidi isolates */
		{ 0x206a, 0x206f }, /* deprecated format characters */
		{ 0xfeff, 0xfeff }, /* BOM, zero-width no-break space */
		{ 0xfff9, 0xfffb }, /* interlinear annotation */
		{ 0xe0000, 0xe007f }, /* tag characters */
	};

	for (size_t i = 0; i < FW_ARRAY_SIZE(ranges); i++)
		if (cp >= ranges[i].first && cp <= ranges[i].last)
			return true;
	return false;
}

size_t fw_escape(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (!size)
		return 0;
	while (*s) {
		char seq[16];
		size_t n, len;
		uint32_t cp;

		len = utf8_decode(s, &cp);
		if (!len) {
			n = snprintf(seq, sizeof(seq), "\\x%02x", *s);
			len = 1;
		} else if (cp == '\\') {
			n = snprintf(seq, sizeof(seq), "\\\\");
		} else if (cp < 0x20 || cp == 0x7f) {
			n = snprintf(seq, sizeof(seq), "\\x%02x", cp);
		} else if (invisible(cp)) {
			n = snprintf(seq, sizeof(seq),
				     cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
		} else {
			memcpy(seq, s, len);
			n = len;
		}
		if (o + n >= size)
			break;
		memcpy(out + o, seq, n);
		o += n;
		s += len;
	}
	out[o] = '\0';
	return o;
}

char *fw_escape_dup(const char *in)
{
	size_t size = FW_ESCAPE_SIZE(strlen(in));
	/* not fw_xcalloc: fw_err itself escapes with this */
	char *out = malloc(size);

	if (!out)
		abort();
	fw_escape(in, out, size);
	return out;
}
