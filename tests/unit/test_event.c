/*
 * Unit tests for the plugin event registry (tools/vde_switch/event.c): subscriptions by path
 * and prefix, no duplicates, unsubscription, raising with arguments, the packet filter chain
 * (pass, rewrite, drop, bogus lengths), packet/out copies and forgetting a code range.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "event.h"

static int calls, lastport;
static uint64_t lastkey;

static int
on_port(struct dbgcl *ev, void *arg, va_list v)
{
	(void)ev;
	calls += *(int *)arg;
	lastport = va_arg(v, int);
	return 0;
}

static int
on_hash(struct dbgcl *ev, void *arg, va_list v)
{
	(void)ev;
	(void)arg;
	lastkey = va_arg(v, uint64_t);
	return 0;
}

/* packet filter: arg says what to do (0 pass, 1 rewrite type and shrink, 2 drop, 3 bogus) */
static int
filt(struct dbgcl *ev, void *arg, va_list v)
{
	int port = va_arg(v, int);
	unsigned char *buf = va_arg(v, unsigned char *);
	int len = va_arg(v, int);

	(void)ev;
	(void)port;
	switch (*(int *)arg) {
	case 1:
		buf[12] = 0x12;
		return len - 10;
	case 2:
		return -1;
	case 3:
		return 70000;
	default:
		return 0;
	}
}

int
main(void)
{
	struct sw sw;
	int one = 1, ten = 10, act = 0;
	uint8_t frame[100], mac[6] = { 2, 0, 0, 0, 0, 7 };
	uint8_t *out;
	size_t olen = 0;
	static struct dbgcl mine = { .path = "mine/ev", .tag = 0777 };
	static struct dbgcl dup = { .path = "port/+" };

	memset(&sw, 0, sizeof(sw));
	memset(frame, 0, sizeof(frame));
	ok(event_init(&sw) == 0, "init");
	ok(!EV_ON(&sw, port_plus), "no subscribers at first");
	ok(event_subscribe(&sw, (intfun)on_port, "port/", &one) == 0, "subscribe port/");
	ok(EV_ON(&sw, port_plus) && EV_ON(&sw, ep_minus) && EV_ON(&sw, port_descr),
	   "port/ covers port/+, port/ep/- and port/descr");
	ok(!EV_ON(&sw, hash_plus), "but not hash/+");
	ok(event_subscribe(&sw, (intfun)on_port, "port/+", &one) == 0 &&
	   sw.ev->port_plus.nfun == 1, "subscribing twice does not duplicate");
	ok(event_subscribe(&sw, (intfun)on_port, "port/+", &ten) == 0 &&
	   sw.ev->port_plus.nfun == 2, "another argument is another subscription");
	event_raise(&sw.ev->port_plus, 7);
	is_int(calls, 11, "both subscribers called");
	is_int(lastport, 7, "with the argument");
	ok(event_subscribe(&sw, (intfun)on_hash, "hash", NULL) == 0 && EV_ON(&sw, hash_minus),
	   "a prefix without slash names the directory");
	ok(event_subscribe(&sw, (intfun)on_hash, "has", NULL) < 0 && errno == ENOENT,
	   "a partial component matches nothing");
	event_raise(&sw.ev->hash_plus, event_mac_key(mac, 5));
	ok(lastkey == 0x0005020000000007ULL, "hash key: VLAN << 48 | MAC");
	ok(event_unsubscribe(&sw, (intfun)on_port, "port/", &one) == 0, "unsubscribe port/");
	is_int(sw.ev->port_plus.nfun, 1, "one subscription left on port/+");
	ok(!EV_ON(&sw, ep_plus), "none on port/ep/+");
	ok(event_unsubscribe(&sw, (intfun)on_port, "port/", &one) < 0 && errno == ENOENT,
	   "unsubscribing again: ENOENT");

	ok(event_register(&sw, &dup) < 0 && errno == EEXIST, "a taken path: EEXIST");
	ok(event_register(&sw, &mine) == 0, "register a plugin event");
	ok(event_subscribe(&sw, (intfun)on_port, "mine", &one) == 0 && mine.nfun == 1,
	   "subscribe to it");
	calls = 0;
	event_raise(&mine, 3);
	is_int(calls, 1, "a plugin event reaches its subscriber");
	event_unregister(&sw, &mine);
	ok(mine.nfun == 0 && mine.fun == NULL, "unregistering clears its subscribers");

	ok(event_subscribe(&sw, (intfun)filt, "packet/in", &act) == 0, "a packet/in filter");
	is_int(event_filter_in(&sw, 1, frame, 60), 60, "0 passes the frame");
	act = 1;
	is_int(event_filter_in(&sw, 1, frame, 60), 50, "a new length rewrites");
	is_int(frame[12], 0x12, "in place");
	is_int(event_filter_in(&sw, 1, frame, 20), -1, "shorter than a header: dropped");
	act = 2;
	is_int(event_filter_in(&sw, 1, frame, 60), -1, "negative drops");
	act = 3;
	is_int(event_filter_in(&sw, 1, frame, 60), -1, "a length over 65535 drops");
	act = 1;
	frame[12] = 0;
	ok(event_subscribe(&sw, (intfun)filt, "packet/out", &act) == 0, "a packet/out filter");
	out = event_filter_out(&sw, 2, frame, 60, &olen);
	ok(out != NULL && out != frame && olen == 50 && out[12] == 0x12 && frame[12] == 0,
	   "packet/out works on a copy");
	event_forget_range(&sw, (uintptr_t)filt, (uintptr_t)filt + 1);
	ok(!EV_ON(&sw, packet_in) && !EV_ON(&sw, packet_out), "forget_range drops the filters");
	ok(EV_ON(&sw, port_plus), "and nothing else");
	event_fini(&sw);
	ok(sw.ev == NULL, "fini");
	return done_testing();
}
