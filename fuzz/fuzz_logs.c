/*
 * fuzz_logs.c - libFuzzer harness for the server log parser (stderr with
 * any prefix, csvlog, jsonlog): the input is fed in two pieces, split
 * where its first byte says, with the format chosen by its second byte.
 */
#include <stddef.h>
#include <stdint.h>

#include <pgtls/pgtls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = {"auto", "stderr", "csv", "json"};
	pgtls_logscan *s;
	size_t split;
	char *out;

	if (size < 2)
		return 0;
	s = pgtls_logscan_new();
	if (s == NULL)
		return 0;
	split = data[0] % (size - 1);
	if (pgtls_logscan_set_format(s, formats[data[1] & 3]) == PGTLS_OK &&
	    pgtls_logscan_feed(s, (const char *)data + 2, split) == PGTLS_OK &&
	    pgtls_logscan_feed(s, (const char *)data + 2 + split, size - 2 - split) == PGTLS_OK &&
	    pgtls_logscan_finish(s) == PGTLS_OK)
	{
		out = pgtls_logscan_json(s, 0);
		pgtls_free(out);
		pgtls_logscan_settle(s, data[1] >> 2); /* the closes without startup, as --follow settles them */
		out = pgtls_logscan_csv(s);
		pgtls_free(out);
	}
	pgtls_logscan_free(s);
	return 0;
}
