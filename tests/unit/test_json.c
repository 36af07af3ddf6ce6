// SPDX-License-Identifier: GPL-2.0-only
/* The control API's JSON writer and request-body reader (api/json.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "unit.h"

static const char *const keys[] = {"path", "destination_url", NULL};

static int check(const char *s)
{
	const char *bad;

	return dv_json_check(s, strlen(s), keys, &bad);
}

UT_TEST(the_writer_nests_escapes_and_separates)
{
	char buf[256];
	struct dv_json j;

	dv_json_init(&j, buf, sizeof(buf));
	dv_json_object(&j, NULL);
	dv_json_str(&j, "s", "a\"b\\c\n\x01");
	dv_json_u64(&j, "n", UINT64_MAX);
	dv_json_array(&j, "a");
	dv_json_bool(&j, NULL, true);
	dv_json_object(&j, NULL);
	dv_json_end(&j);
	dv_json_bool(&j, NULL, false);
	dv_json_end(&j);
	dv_json_end(&j);
	UT_CHECK(dv_json_done(&j) == strlen(buf), "not done");
	UT_CHECK(!strcmp(buf, "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\",\"n\":18446744073709551615,"
			      "\"a\":[true,{},false]}"),
		 "%s", buf);
	/* its output reads back */
	const char *ks[] = {"s", "n", "a", NULL}, *bad;
	char s[16];

	UT_CHECK(!dv_json_check(buf, strlen(buf), ks, &bad), "own output does not check");
	UT_CHECK(!dv_json_get_str(buf, strlen(buf), "s", s, sizeof(s)) &&
		     !strcmp(s, "a\"b\\c\n\x01"),
		 "round trip: %s", s);
}

UT_TEST(the_writer_says_when_it_did_not_fit_or_is_open)
{
	char buf[16];
	struct dv_json j;

	dv_json_init(&j, buf, sizeof(buf));
	dv_json_object(&j, NULL);
	dv_json_str(&j, "key", "a value too long for it");
	dv_json_end(&j);
	UT_CHECK(dv_json_done(&j) == 0 && strlen(buf) < sizeof(buf), "overflow unseen");
	dv_json_init(&j, buf, sizeof(buf));
	dv_json_object(&j, NULL);
	UT_CHECK(dv_json_done(&j) == 0, "an open object is done");
	dv_json_init(&j, buf, sizeof(buf));
	dv_json_end(&j);
	UT_CHECK(dv_json_done(&j) == 0, "an end without a start is done");
	dv_json_init(&j, buf, sizeof(buf));
	for (int i = 0; i < DV_JSON_MAX_DEPTH + 2; i++)
		dv_json_array(&j, NULL);
	UT_CHECK(dv_json_done(&j) == 0, "too deep is done");
}

UT_TEST(bodies_the_reader_takes)
{
	static const char *const good[] = {
	    "{}",
	    " \t\r\n{ } \n",
	    "{\"path\":\"/a/b\"}",
	    "{\"path\":\"x\",\"destination_url\":\"file:///tmp\"}",
	    "{\"path\":null}",
	    "{\"path\":[1,-2.5e+3,true,false,null,{\"x\":[]}]}",
	    "{\"path\":\"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\"}",
	    "{\"path\":0}",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		UT_CHECK(check(good[i]) == 0, "%s: %d", good[i], check(good[i]));
}

UT_TEST(bodies_the_reader_refuses)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "\"x\"",
	    "{",
	    "{\"path\"}",
	    "{\"path\":}",
	    "{\"path\":1,}",
	    "{,}",
	    "{\"path\":1 \"destination_url\":2}",
	    "{\"path\":01}",
	    "{\"path\":1.}",
	    "{\"path\":.5}",
	    "{\"path\":1e}",
	    "{\"path\":tru}",
	    "{\"path\":\"a\nb\"}",
	    "{\"path\":\"\\x\"}",
	    "{\"path\":\"\\u12\"}",
	    "{\"path\":\"\\ud800\"}",
	    "{\"path\":\"\\udc00\"}",
	    "{\"path\":\"unterminated}",
	    "{} {}",
	    "{\"path\":1,\"path\":2}",
	    "{'path':1}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UT_CHECK(check(bad[i]) == -EINVAL, "%s: %d", bad[i], check(bad[i]));
}

UT_TEST(unknown_members_are_named)
{
	const char *s = "{\"path\":\"x\",\"evil\":1}", *bad = NULL;

	UT_CHECK(dv_json_check(s, strlen(s), keys, &bad) == -ENOENT && bad == s + 12,
		 "unknown member not found at its place");
	/* an escaped spelling of a known name is not that name */
	s = "{\"p\\u0061th\":1}";
	UT_CHECK(dv_json_check(s, strlen(s), keys, &bad) == -ENOENT, "escaped name taken");
}

UT_TEST(nesting_is_bounded)
{
	char s[256] = "{\"path\":";
	size_t n = strlen(s);
	const char *bad;

	for (int i = 0; i < 40; i++)
		s[n++] = '[';
	for (int i = 0; i < 40; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	UT_CHECK(dv_json_check(s, n, keys, &bad) == -E2BIG, "40 deep taken");
}

UT_TEST(string_members_are_read_and_bounded)
{
	const char *s = "{\"destination_url\":1,\"path\":\"/tmp/a\\u00e9\"}";
	char out[16];

	UT_CHECK(!dv_json_get_str(s, strlen(s), "path", out, sizeof(out)) &&
		     !strcmp(out, "/tmp/a\xc3\xa9"),
		 "%s", out);
	UT_CHECK(dv_json_get_str(s, strlen(s), "destination_url", out, sizeof(out)) == -EINVAL,
		 "a number read as a string");
	UT_CHECK(dv_json_get_str(s, strlen(s), "nope", out, sizeof(out)) == -ENOENT, "missing");
	UT_CHECK(dv_json_get_str(s, strlen(s), "path", out, 7) == -ENAMETOOLONG, "too long");
	s = "{\"path\":\"a\\u0000b\"}";
	UT_CHECK(dv_json_get_str(s, strlen(s), "path", out, sizeof(out)) == -EINVAL, "NUL inside");
}

UT_TEST(random_bytes_never_crash_the_reader)
{
	static const char alphabet[] = "{}[]\":,\\u0123456789abcdefnulltruefalse .-+eE\t\n";
	char s[64], out[32];
	const char *bad;

	srand(1);
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(rand() % (int)sizeof(s));

		for (size_t k = 0; k < n; k++)
			s[k] = rand() % 4 ? alphabet[rand() % (int)(sizeof(alphabet) - 1)]
					  : (char)rand();
		if (n)
			s[0] = '{';
		(void)dv_json_check(s, n, keys, &bad);
		(void)dv_json_get_str(s, n, "path", out, sizeof(out));
	}
	UT_CHECK(1, "-");
}

UT_MAIN()
