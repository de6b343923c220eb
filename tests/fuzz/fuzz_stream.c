/*
 * libFuzzer target for the stream codec: the input is split into chunks by its first byte and
 * fed to two decoders (chunked and whole); both must produce the same frames, each within
 * 14..65535 bytes, and the buffer must stay bounded. Build with clang -fsanitize=fuzzer,address
 * tests/fuzz/fuzz_stream.c libvdeplug/streamcodec.c -Ilibvdeplug (not part of make check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "streamcodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
	uint64_t hash;
	size_t frames;
};

static void
fuzz_frame(void *opaque, unsigned char *frame, size_t len)
{
	struct digest *d = opaque;
	size_t i;

	if (len < 14 || len > STREAMCODEC_MAXFRAME)
		abort();
	for (i = 0; i < len; i++)
		d->hash = (d->hash ^ frame[i]) * 1099511628211ULL;
	d->hash = (d->hash ^ len) * 1099511628211ULL;
	d->frames++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = {14695981039346656037ULL, 0}, chunked = whole;
	struct streamcodec *a, *b;
	size_t chunk, off;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	a = streamcodec_new(fuzz_frame, NULL, &whole);
	b = streamcodec_new(fuzz_frame, NULL, &chunked);
	if (!a || !b)
		abort();
	streamcodec_push(a, data, size);
	for (off = 0; off < size; off += chunk) {
		streamcodec_push(b, data + off, size - off < chunk ? size - off : chunk);
		if (streamcodec_buffered(b) > STREAMCODEC_BUFSIZE)
			abort();
	}
	if (whole.hash != chunked.hash || whole.frames != chunked.frames)
		abort();
	streamcodec_free(a);
	streamcodec_free(b);
	return 0;
}
