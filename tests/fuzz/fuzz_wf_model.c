/*
 * libFuzzer target for wirefilter's pure core: the input is a list of NUL-separated lines, each
 * "<param letter><value text>" given to value_parse and model_set (or a chain command), with
 * frames pushed through the model in between. Every accepted setting must keep the model's
 * invariants: a bounded number of copies, due times never before the input time, queued bytes
 * accounted. Build with clang -fsanitize=fuzzer,address -Iwirefilter tests/fuzz/fuzz_wf_model.c
 * wirefilter/{model,markov,value}.c -lm (not part of make check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = model_new(size);
	struct model_decision d;
	struct value_arg a;
	char line[256];
	const char *why;
	uint64_t now = 1000;
	size_t off = 0, n, k, len;
	unsigned char frame[2048] = { 0 };

	if (m == NULL)
		return 0;
	while (off < size) {
		n = strnlen((const char *)data + off, size - off);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, data + off, n);
		line[n] = '\0';
		off += n + 1;
		if (n == 0)
			continue;
		switch (line[0] % 12) {
		case 9:
			model_set_numnodes(m, (unsigned)strtoul(line + 1, NULL, 10), &why);
			break;
		case 10:
			model_set_edge(m, (unsigned)(line[1] & 7), (unsigned)(line[2] & 7),
				       strtod(line + 3, NULL), &why);
			break;
		case 11:
			model_set_markov_time(m, strtod(line + 1, NULL), &why);
			break;
		default:
			if (value_parse(line + 1, &a, &why) == 0)
				model_set(m, (enum model_param)(line[0] % 9), &a, &why);
		}
		len = 14 + (unsigned char)line[0] * 7;
		model_input(m, line[0] & 1, len, now, &d);
		if (d.ncopies > MODEL_MAXCOPIES)
			abort();
		for (k = 0; k < d.ncopies; k++) {
			if (d.copy[k].due_ns < now)
				abort();
			model_corrupt(m, line[0] & 1, &d.copy[k], frame, len);
			model_output(m, line[0] & 1, len, 1);
		}
		if (model_stats(m, 0)->qframes != 0 || model_stats(m, 1)->qframes != 0)
			abort();
		now += (unsigned char)line[n > 1 ? 1 : 0] * 100000ULL;
		model_advance(m, now);
	}
	model_free(m);
	return 0;
}
