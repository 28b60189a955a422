// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of tracenetctl. Run by "make -C tools test", which sets
 * FIXTURES (tests/fixtures) and TRACENETCTL (the binary under test).
 */
#include <stdio.h>
#include <stdlib.h>
#include "tap.h"

const char *fixture_dir(void)
{
	const char *dir = getenv("FIXTURES");

	return dir ? dir : "tests/fixtures";
}

char *read_fixture(const char *name, unsigned long *size)
{
	char path[512];
	char *buf = NULL;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END))
		goto out;
	len = ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf && size)
		*size = (unsigned long)len;
out:
	fclose(f);
	return buf;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_wire();
	test_record();
	test_decode();
	test_cli();
	test_oracle();
	return tap_finish();
}
