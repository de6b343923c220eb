/*
 * The port table: ports 0..numports, their ACLs, counters and endpoints. Ports appear when a
 * client connects or through port/create, and disappear with their last endpoint unless they
 * were created by the administrator. Endpoint descriptors are owned by datasock.c.
 */
#ifndef VDE_PORT_H
#define VDE_PORT_H

#include "fdb.h"
#include "switch.h"

struct mgmt_req;

int port_init(struct sw *sw, unsigned numports);
void port_fini(struct sw *sw);
/* Grows or shrinks the table; EADDRINUSE if an existing port would be cut off. */
int port_setnumports(struct sw *sw, unsigned n);

/*
 * Chooses the port for a new endpoint: want 0 = first free allocatable port from 1, want > 0
 * that port, port0 = the management port 0. Returns the port number or -1 with errno (ENXIO out of
 * range or not available, EADDRINUSE used by another user, EPERM by the ACL, ENOSPC none free).
 */
int port_select(struct sw *sw, unsigned want, int port0, uid_t uid, gid_t gid);
/* Links ep to port n (selected above) and announces it on the debug categories. */
void port_attach(struct sw *sw, unsigned n, struct endpoint *ep);
/* Unlinks ep; the port goes away (MACs flushed) with its last endpoint unless created. */
void port_detach(struct sw *sw, struct endpoint *ep);

/* Management: port/create N (n = 0 chooses one), port/remove N. 0 or an errno value. */
int port_create(struct sw *sw, unsigned n, unsigned *created);
int port_remove(struct sw *sw, unsigned n);
/* Writes the port/print block of one port. */
void port_print(struct sw *sw, struct mgmt_req *req, unsigned n);
void port_reset_counters(struct port *p);
/* Removes every MAC learned on port n and reports them on hash/-. */
void port_flush_macs(struct sw *sw, int n);
/* fdb callback reporting a removed MAC on hash/- (arg: the struct sw). */
struct fdb_ent;
void port_mac_gone(void *arg, const struct fdb_ent *e);
/* port_mac_gone if anybody listens to hash/- (console or plugins), else NULL. */
fdb_cb *port_mac_cb(const struct sw *sw);

#endif
