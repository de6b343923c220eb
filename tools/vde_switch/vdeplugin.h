/*
 * vdeplugin.h: the interface between vde_switch and its plugins, source- and binary-compatible
 * with VDE2's. A plugin is a shared object defining `struct plugin vde_plugin_data`; its
 * constructor adds commands (ADDCL), debug categories and events (ADDDBGCL) and subscriptions
 * (eventadd), its destructor removes them. Everything runs in the switch's single thread.
 */
#ifndef _VDEPLUGIN_H
#define _VDEPLUGIN_H

#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* The unprototyped function pointers below are the VDE2 interface: keep them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"

/*
 * Command types. doit receives, in this order and only when the flag says so:
 *   FILE *f   (WITHFILE: what it prints there is the command's "0000 DATA" block)
 *   int fd    (WITHFD: the management connection, -1 in rc files; an ID, not for I/O)
 *   int n     (INTARG) or char *s (STRARG: the rest of the line)
 * and returns 0 or an errno value (the console shows "1<errno> <message>").
 */
#define NOARG    0
#define INTARG   1
#define STRARG   2
#define WITHFILE 0x40
#define WITHFD   0x80

typedef int (*intfun)();

struct comlist {
	char *path;   /* "menu/command"; a menu header has doit == NULL */
	char *syntax; /* "N", "[N]", ... ("============" for a menu header) */
	char *help;
	int (*doit)();
	unsigned char type;
	struct comlist *next; /* the switch's: never set it */
};

/* Tags of debug categories and events (octal, as on the console's "3TTT" lines). */
#define D_PACKET 01000
#define D_MGMT   02000
#define D_SIG    03000
#define D_IN     01
#define D_OUT    02
#define D_PLUS   01
#define D_MINUS  02
#define D_DESCR  03
#define D_STATUS 04
#define D_ROOT   05
#define D_HUP    01
#define D_HASH   010
#define D_PORT   020
#define D_EP     030
#define D_FSTP   040

/*
 * A debug category (help != NULL: listed by debug/list, subscribed with debug/add, written
 * with DBGOUT) and an event (subscribed with eventadd, raised with EVENTOUT). Built-in events
 * and their arguments:
 *   port/+ port/-            int port
 *   port/descr               int port, int endpoint ID, char *description
 *   port/ep/+ port/ep/-      int port, int endpoint ID
 *   hash/+ hash/-            uint64_t key (MAC in the low 48 bits, VLAN above)
 *   fstp/status              int port, int vlan, int status
 *   fstp/root                int 0, int vlan, uint64_t root bridge ID
 *   fstp/+ fstp/-            int port, int vlan
 *   packet/in packet/out     int port, unsigned char *frame, int len
 * packet/in (before forwarding) and packet/out (per output port, on a private copy) are
 * filters: a subscriber returns 0 to pass the frame, a new length > 0 after rewriting it in
 * place (at most 65535 bytes), or < 0 to drop it.
 */
struct dbgcl {
	char *path;
	char *help;
	int tag;
	/* the switch's: never set them */
	int *fds;
	intfun *fun;
	void **funarg;
	unsigned short nfds;
	unsigned short nfun;
	unsigned short maxfds;
	unsigned short maxfun;
	struct dbgcl *next;
};

/* Every plugin defines one, named vde_plugin_data (plugin/list shows name and help). */
struct plugin {
	char *name;
	char *help;
	void *handle;        /* the switch's */
	struct plugin *next; /* the switch's */
};

#define ADDCL(CL)    addcl(sizeof(CL) / sizeof(struct comlist), (CL))
#define DELCL(CL)    delcl(sizeof(CL) / sizeof(struct comlist), (CL))
#define ADDDBGCL(CL) adddbgcl(sizeof(CL) / sizeof(struct dbgcl), (CL))
#define DELDBGCL(CL) deldbgcl(sizeof(CL) / sizeof(struct dbgcl), (CL))
#define DBGOUT(CL, FORMAT, ...) \
	if (__builtin_expect(((CL)->nfds) > 0, 0)) debugout((CL), (FORMAT), __VA_ARGS__)
#define EVENTOUT(CL, ...) \
	if (__builtin_expect(((CL)->nfun) > 0, 0)) eventout((CL), __VA_ARGS__)

void addcl(int ncl, struct comlist *cl);
void delcl(int ncl, struct comlist *cl);
void adddbgcl(int ncl, struct dbgcl *cl);
void deldbgcl(int ncl, struct dbgcl *cl);

/* Subscribes fun to every event whose path is path or under it ("port/" = all port events);
 * 0, or -1 with errno (ENOENT: no such event, EEXIST: already subscribed). */
int eventadd(int (*fun)(struct dbgcl *event, void *arg, va_list v), char *path, void *arg);
int eventdel(int (*fun)(struct dbgcl *event, void *arg, va_list v), char *path, void *arg);
void debugout(struct dbgcl *cl, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
void eventout(struct dbgcl *cl, ...);

/* A line (a newline is added) to f, or to the switch's log when f is NULL. */
void printoutc(FILE *f, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* A log line with a syslog(3) priority. */
void printlog(int priority, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Adopts a connected descriptor as a management session. */
void mgmtnewfd(int fd);

/* The user of a port's endpoints ((uid_t)-1 for none), the description of endpoint ID epn. */
uid_t port_user(int port);
char *port_descr(int portno, int epn);

/* Seconds since the epoch; critical sections are no-ops (timers never interrupt). */
time_t qtime();
void qtime_csenter();
void qtime_csexit();
/* Calls call(arg) every period seconds, times times (0 = forever); returns an ID for qtimer_del
 * (0 on failure). */
unsigned int qtimer_add(time_t period, int times, void (*call)(), void *arg);
void qtimer_del(unsigned int n);

#pragma GCC diagnostic pop

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#endif
