// SPDX-License-Identifier: GPL-2.0
/*
 * fwmklog - write realistic drone flight logs from scratch, for tests.
 *
 *   fwmklog TYPE SIZE OUT      write a log of TYPE, at least SIZE bytes
 *                              (whole records only; suffix k or m = KiB/MiB)
 *   fwmklog --verify TYPE FILE check that FILE is a well-formed log of TYPE
 *
 * TYPE is one of
 *   tlog       MAVLink telemetry log: big-endian microsecond timestamp +
 *              MAVLink v1 frame (HEARTBEAT, ATTITUDE, GLOBAL_POSITION_INT),
 *              CRC-16/MCRF4XX with CRC_EXTRA
 *   ulog       PX4 ULog: 16-byte header, flag bits, format, info,
 *              subscription, data, logging and sync messages
 *   dataflash  ArduPilot DataFlash .bin: FMT of FMT first, then FMT, MSG,
 *              GPS and ATT records
 *   dji-txt    DJI FlightRecord .txt, version 6 (plain): 100-byte prefix,
 *              type/length/payload/0xFF records, detail block at the end
 *   dji-dat    DJI .DAT: "BUILD" at 16, "DJI_LOG_V3" at 242, records at 256
 *   text       plain ASCII text with no flight-log signature
 *
 * The layouts follow shared/FLIGHTLOGS.md. Output is deterministic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_US 1795300421000000ULL /* 2026-11-21T22:33:41Z */

struct buf {
	unsigned char *p;
	size_t len;
	size_t cap;
};

static const char *prog = "fwmklog";

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	unsigned char s[2] = { v & 0xff, v >> 8 };

	put(b, s, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	unsigned char s[4];

	for (int i = 0; i < 4; i++)
		s[i] = (v >> (8 * i)) & 0xff;
	put(b, s, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	unsigned char s[8];

	for (int i = 0; i < 8; i++)
		s[i] = (v >> (8 * i)) & 0xff;
	put(b, s, 8);
}

static void put64be(struct buf *b, uint64_t v)
{
	unsigned char s[8];

	for (int i = 0; i < 8; i++)
		s[i] = (v >> (56 - 8 * i)) & 0xff;
	put(b, s, 8);
}

static void putf(struct buf *b, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put32(b, v);
}

/* a fixed-size, NUL-padded character field */
static void putstr(struct buf *b, const char *s, size_t width)
{
	size_t n = strlen(s);
	unsigned char zero = 0;

	put(b, s, n < width ? n : width);
	for (; n < width; n++)
		put(b, &zero, 1);
}

/* why the last verification failed */
static char why[128];

static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return 1;
}

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

/* ---- MAVLink ---------------------------------------------------------- */

/* CRC-16/MCRF4XX, as MAVLink's crc_accumulate */
static uint16_t crc_x25(uint16_t crc, const unsigned char *p, size_t n)
{
	while (n--) {
		uint8_t tmp = *p++ ^ (crc & 0xff);

		tmp ^= tmp << 4;
		crc = (crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4);
	}
	return crc;
}

struct mav_msg {
	uint8_t id;
	uint8_t len;
	uint8_t extra;
};

static const struct mav_msg mav_msgs[] = {
	{ 0, 9, 50 }, /* HEARTBEAT */
	{ 30, 28, 39 }, /* ATTITUDE */
	{ 33, 28, 104 }, /* GLOBAL_POSITION_INT */
};

static const struct mav_msg *mav_lookup(uint8_t id)
{
	for (size_t i = 0; i < sizeof(mav_msgs) / sizeof(mav_msgs[0]); i++)
		if (mav_msgs[i].id == id)
			return &mav_msgs[i];
	return NULL;
}

static void mav_frame(struct buf *b, uint64_t ts_us, uint8_t seq, uint8_t id,
		      const struct buf *payload)
{
	const struct mav_msg *m = mav_lookup(id);
	unsigned char hdr[6] = { 0xfe, m->len, seq, 1, 1, id };
	uint16_t crc;

	put64be(b, ts_us);
	put(b, hdr, sizeof(hdr));
	put(b, payload->p, payload->len);
	crc = crc_x25(0xffff, hdr + 1, 5);
	crc = crc_x25(crc, payload->p, payload->len);
	crc = crc_x25(crc, &m->extra, 1);
	put16(b, crc);
}

static void mk_tlog(struct buf *b, size_t size)
{
	struct buf pl = { 0 };
	uint8_t seq = 0;

	for (uint32_t i = 0; b->len < size; i++) {
		uint64_t ts = START_US + (uint64_t)i * 100000;
		uint32_t boot_ms = 1000 + i * 100;

		pl.len = 0;
		switch (i % 4) {
		case 0: /* HEARTBEAT: quadrotor, ArduPilot, armed, active */
			put32(&pl, 3);
			put8(&pl, 2);
			put8(&pl, 3);
			put8(&pl, 0x81 | 0x08);
			put8(&pl, 4);
			put8(&pl, 3);
			mav_frame(b, ts, seq++, 0, &pl);
			break;
		case 1:
		case 3: /* GLOBAL_POSITION_INT: drifting north-east */
			put32(&pl, boot_ms);
			put32(&pl, 473977420 + i * 7);
			put32(&pl, 85455940 + i * 5);
			put32(&pl, 488000 + (i % 97) * 10);
			put32(&pl, 20000 + (i % 97) * 10);
			put16(&pl, 120);
			put16(&pl, 80);
			put16(&pl, (uint16_t)-3);
			put16(&pl, 4500);
			mav_frame(b, ts + 20000, seq++, 33, &pl);
			break;
		case 2: /* ATTITUDE */
			put32(&pl, boot_ms);
			putf(&pl, 0.01f * (float)(i % 13));
			putf(&pl, -0.02f * (float)(i % 7));
			putf(&pl, 0.785f);
			putf(&pl, 0.001f);
			putf(&pl, 0.002f);
			putf(&pl, 0.0f);
			mav_frame(b, ts + 40000, seq++, 30, &pl);
			break;
		}
	}
	free(pl.p);
}

static int verify_tlog(const unsigned char *p, size_t n)
{
	size_t off = 0, frames = 0;

	while (off < n) {
		const struct mav_msg *m;
		uint16_t crc;
		size_t len;

		if (n - off < 8 + 8)
			return bad("truncated record at %zu", off);
		if (p[off + 8] != 0xfe)
			return bad("no v1 magic at %zu", off + 8);
		len = p[off + 9];
		if (n - off < 8 + 6 + len + 2)
			return bad("truncated frame at %zu", off);
		m = mav_lookup(p[off + 13]);
		if (!m || m->len != len)
			return bad("unknown msg at %zu", off);
		crc = crc_x25(0xffff, p + off + 9, 5 + len);
		crc = crc_x25(crc, &m->extra, 1);
		if (crc != le16(p + off + 14 + len))
			return bad("bad crc at %zu", off);
		off += 8 + 6 + len + 2;
		frames++;
	}
	if (!frames)
		return bad("no frames");
	return 0;
}

/* ---- PX4 ULog ----------------------------------------------------------- */

static const unsigned char ulog_magic[8] = { 0x55, 0x4c, 0x6f, 0x67,
					     0x01, 0x12, 0x35, 0x01 };
static const unsigned char ulog_sync[8] = { 0x2f, 0x73, 0x13, 0x20,
					    0x25, 0x0c, 0xbb, 0x12 };

static void ulog_msg(struct buf *b, char type, const struct buf *payload)
{
	put16(b, payload->len);
	put8(b, type);
	put(b, payload->p, payload->len);
}

static void ulog_info(struct buf *b, const char *key, const char *val)
{
	struct buf pl = { 0 };
	char k[64];
	int n = snprintf(k, sizeof(k), "char[%zu] %s", strlen(val), key);

	put8(&pl, n);
	put(&pl, k, n);
	put(&pl, val, strlen(val));
	ulog_msg(b, 'I', &pl);
	free(pl.p);
}

static void mk_ulog(struct buf *b, size_t size)
{
	static const char fmt[] =
		"vehicle_gps_position:uint64_t timestamp;int32_t lat;"
		"int32_t lon;float alt;uint8_t fix_type;uint8_t[3] _padding0;";
	static const char topic[] = "vehicle_gps_position";
	struct buf pl = { 0 };

	put(b, ulog_magic, sizeof(ulog_magic));
	put64(b, START_US);

	put(&pl, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16); /* flags */
	put64(&pl, 0);
	put64(&pl, 0);
	put64(&pl, 0);
	ulog_msg(b, 'B', &pl);

	pl.len = 0;
	put(&pl, fmt, strlen(fmt));
	ulog_msg(b, 'F', &pl);

	ulog_info(b, "sys_name", "PX4");
	ulog_info(b, "ver_hw", "PX4_FMU_V6X");
	ulog_info(b, "ver_sw_release", "v1.15.2");

	pl.len = 0;
	put8(&pl, 0); /* multi_id */
	put16(&pl, 0); /* msg_id */
	put(&pl, topic, strlen(topic));
	ulog_msg(b, 'A', &pl);

	pl.len = 0;
	put8(&pl, '6');
	put64(&pl, START_US + 5000);
	put(&pl, "[commander] Takeoff detected", 28);
	ulog_msg(b, 'L', &pl);

	for (uint32_t i = 0; b->len < size; i++) {
		pl.len = 0;
		if (i % 64 == 63) {
			put(&pl, ulog_sync, sizeof(ulog_sync));
			ulog_msg(b, 'S', &pl);
			continue;
		}
		put16(&pl, 0);
		put64(&pl, START_US + 10000 + (uint64_t)i * 200000);
		put32(&pl, 473977420 + i * 7);
		put32(&pl, 85455940 + i * 5);
		putf(&pl, 488.0f + (float)(i % 50));
		put8(&pl, 3);
		put(&pl, "\0\0\0", 3);
		ulog_msg(b, 'D', &pl);
	}
	free(pl.p);
}

static int verify_ulog(const unsigned char *p, size_t n)
{
	size_t off = 16;
	int seen_b = 0, seen_d = 0;

	if (n < 16 || memcmp(p, ulog_magic, 7))
		return bad("no ULog magic");
	while (off < n) {
		size_t len;

		if (n - off < 3)
			return bad("truncated header at %zu", off);
		len = le16(p + off);
		if (n - off - 3 < len)
			return bad("truncated msg at %zu", off);
		if (off == 16 && (p[off + 2] != 'B' || len < 40))
			return bad("first message is not B");
		if (!strchr("BFIMPQADLCSOR", p[off + 2]))
			return bad("bad type at %zu", off);
		seen_b |= p[off + 2] == 'B';
		seen_d |= p[off + 2] == 'D';
		off += 3 + len;
	}
	return seen_b && seen_d ? 0 : bad("no data message");
}

/* ---- ArduPilot DataFlash ------------------------------------------------ */

struct df_fmt {
	uint8_t type;
	uint8_t len;
	const char *name;
	const char *format;
	const char *labels;
};

static const struct df_fmt df_fmts[] = {
	{ 0x80, 89, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns" },
	{ 129, 24, "GPS", "QBLLf", "TimeUS,Status,Lat,Lng,Alt" },
	{ 130, 23, "ATT", "Qfff", "TimeUS,Roll,Pitch,Yaw" },
	{ 131, 75, "MSG", "QZ", "TimeUS,Message" },
};

static void df_head(struct buf *b, uint8_t type)
{
	put8(b, 0xa3);
	put8(b, 0x95);
	put8(b, type);
}

static void mk_dataflash(struct buf *b, size_t size)
{
	const size_t nfmt = sizeof(df_fmts) / sizeof(df_fmts[0]);

	for (size_t i = 0; i < nfmt; i++) {
		df_head(b, 0x80);
		put8(b, df_fmts[i].type);
		put8(b, df_fmts[i].len);
		putstr(b, df_fmts[i].name, 4);
		putstr(b, df_fmts[i].format, 16);
		putstr(b, df_fmts[i].labels, 64);
	}
	df_head(b, 131);
	put64(b, 1000);
	putstr(b, "ArduCopter V4.5.7 (2a3dc4b7)", 64);
	for (uint32_t i = 0; b->len < size; i++) {
		uint64_t t = 2000000 + (uint64_t)i * 100000;

		if (i % 2) {
			df_head(b, 130);
			put64(b, t);
			putf(b, 0.5f * (float)(i % 9));
			putf(b, -0.25f * (float)(i % 5));
			putf(b, 45.0f);
		} else {
			df_head(b, 129);
			put64(b, t);
			put8(b, 3);
			put32(b, 473977420 + i * 7);
			put32(b, 85455940 + i * 5);
			putf(b, 488.0f + (float)(i % 50));
		}
	}
}

static int verify_dataflash(const unsigned char *p, size_t n)
{
	uint8_t lens[256] = { 0 };
	size_t off = 0;

	if (n < 89 || memcmp(p,
			     "\xa3\x95\x80\x80\x59"
			     "FMT\0"
			     "BBnNZ",
			     14))
		return bad("no FMT of FMT");
	while (off < n) {
		uint8_t t;

		if (n - off < 3 || p[off] != 0xa3 || p[off + 1] != 0x95)
			return bad("no sync at %zu", off);
		t = p[off + 2];
		if (t == 0x80 && n - off >= 5)
			lens[p[off + 3]] = p[off + 4];
		if (!lens[t] || n - off < lens[t])
			return bad("bad record at %zu", off);
		off += lens[t];
	}
	return 0;
}

/* ---- DJI ---------------------------------------------------------------- */

static void mk_dji_txt(struct buf *b, size_t size)
{
	static const char detail[] = "Zurich\0Switzerland\0Mavic 3\0"
				     "1581F5FHD22B0012XYZ\0";
	struct buf rec = { 0 };
	size_t detail_off;

	/* prefix: detail offset patched below */
	put64(b, 0);
	put16(b, sizeof(detail));
	put8(b, 6);
	while (b->len < 100)
		put8(b, 0);
	for (uint32_t i = 0; b->len + sizeof(detail) < size; i++) {
		rec.len = 0;
		put8(&rec, 1); /* OSD */
		put8(&rec, 53);
		put64(&rec, 0x3ff0000000000000ULL + i); /* longitude */
		put64(&rec, 0x4040000000000000ULL + i); /* latitude */
		put16(&rec, 1000 + i % 300); /* height */
		while (rec.len < 2 + 53)
			put8(&rec, i & 0x7f);
		put8(&rec, 0xff);
		put(b, rec.p, rec.len);
	}
	detail_off = b->len;
	put(b, detail, sizeof(detail));
	for (int i = 0; i < 8; i++)
		b->p[i] = (detail_off >> (8 * i)) & 0xff;
	free(rec.p);
}

static int verify_dji_txt(const unsigned char *p, size_t n)
{
	uint64_t detail = 0;
	size_t off = 100;

	if (n < 100)
		return bad("short");
	for (int i = 0; i < 8; i++)
		detail |= (uint64_t)p[i] << (8 * i);
	if (p[10] > 6 || detail > n || detail < 100)
		return bad("bad prefix");
	while (off < detail) {
		if (detail - off < 3 || detail - off < (size_t)p[off + 1] + 3 ||
		    p[off + 2 + p[off + 1]] != 0xff)
			return bad("bad record at %zu", off);
		off += p[off + 1] + 3;
	}
	return 0;
}

/* CRC-8 over the record header, CRC-16 over the record (seeds as in
 * DJI's firmware logs; not checked by anything that matters here) */
static uint8_t crc8(const unsigned char *p, size_t n)
{
	uint8_t crc = 0x77;

	while (n--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = crc & 1 ? (crc >> 1) ^ 0x8c : crc >> 1;
	}
	return crc;
}

static void mk_dji_dat(struct buf *b, size_t size)
{
	struct buf rec = { 0 };

	while (b->len < 16)
		put8(b, 0);
	put(b, "BUILD 2026-11-21 22:33:41 WM260", 31);
	while (b->len < 242)
		put8(b, 0);
	put(b, "DJI_LOG_V3", 10);
	while (b->len < 256)
		put8(b, 0);
	for (uint32_t i = 0; b->len < size; i++) {
		rec.len = 0;
		put8(&rec, 0x55);
		put8(&rec, 10 + 24 + 2);
		put8(&rec, 0);
		put8(&rec, crc8(rec.p, 3));
		put16(&rec, 2048); /* GPS */
		put32(&rec, 1000 + i * 100);
		put64(&rec, 0x4040000000000000ULL + i);
		put64(&rec, 0x3ff0000000000000ULL + i);
		put64(&rec, 488 + i % 50);
		put16(&rec, crc_x25(0x3692, rec.p, rec.len));
		put(b, rec.p, rec.len);
	}
	free(rec.p);
}

static int verify_dji_dat(const unsigned char *p, size_t n)
{
	if (n < 256 || memcmp(p + 16, "BUILD", 5) ||
	    memcmp(p + 242, "DJI_LOG_V3", 10) || p[256] != 0x55)
		return bad("bad DAT header");
	return 0;
}

/* ---- plain text --------------------------------------------------------- */

static void mk_text(struct buf *b, size_t size)
{
	char line[96];

	for (unsigned int i = 0; b->len < size; i++) {
		int n = snprintf(line, sizeof(line),
				 "line %06u: nothing to see here, just notes "
				 "about the weather and lunch.\n",
				 i);

		put(b, line, n);
	}
}

static int verify_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\n' && (p[i] < 0x20 || p[i] > 0x7e))
			return bad("not text at %zu", i);
	return 0;
}

/* ------------------------------------------------------------------------ */

struct kind {
	const char *name;
	void (*make)(struct buf *b, size_t size);
	int (*verify)(const unsigned char *p, size_t n);
};

static const struct kind kinds[] = {
	{ "tlog", mk_tlog, verify_tlog },
	{ "ulog", mk_ulog, verify_ulog },
	{ "dataflash", mk_dataflash, verify_dataflash },
	{ "dji-txt", mk_dji_txt, verify_dji_txt },
	{ "dji-dat", mk_dji_dat, verify_dji_dat },
	{ "text", mk_text, verify_text },
};

static const struct kind *find_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	die("unknown type '%s' (tlog|ulog|dataflash|dji-txt|dji-dat|text)",
	    name);
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		die("bad size '%s'", s);
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end || v > (1ULL << 30))
		die("bad size '%s'", s);
	return v;
}

static int verify(const struct kind *k, const char *path)
{
	struct buf b = { 0 };
	unsigned char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(&b, chunk, n);
	if (ferror(f))
		die("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	rc = k->verify(b.p, b.len);
	if (rc)
		fprintf(stderr, "%s: %s: not a valid %s file: %s\n", prog, path,
			k->name, why);
	free(b.p);
	return rc;
}

int main(int argc, char **argv)
{
	const struct kind *k;
	struct buf b = { 0 };
	FILE *f;

	if (argc == 4 && !strcmp(argv[1], "--verify"))
		return verify(find_kind(argv[2]), argv[3]);
	if (argc != 4) {
		fprintf(stderr,
			"usage: %s TYPE SIZE OUT | --verify TYPE FILE\n"
			"  TYPE: tlog|ulog|dataflash|dji-txt|dji-dat|text\n",
			prog);
		return 2;
	}
	k = find_kind(argv[1]);
	k->make(&b, parse_size(argv[2]));
	f = fopen(argv[3], "wb");
	if (!f)
		die("cannot create %s: %s", argv[3], strerror(errno));
	if (fwrite(b.p, 1, b.len, f) != b.len || fclose(f))
		die("cannot write %s: %s", argv[3], strerror(errno));
	free(b.p);
	return 0;
}
