/*
 * Plugins: shared objects loaded with plugin/add (local console and rc files only unless
 * --mgmt-allow-load) and unloaded with plugin/del; the vdeplugin.h API they call (commands,
 * categories, events, timers, log) is implemented here on top of mgmt, event.c and the loop.
 */
#ifndef VDE_PLUGIN_H
#define VDE_PLUGIN_H

#include "mgmt.h"
#include "switch.h"

/* Makes sw the switch the plugin API acts on (one per process). */
int plugin_init(struct sw *sw);
/* Unloads every plugin and frees what they left behind. */
void plugin_fini(struct sw *sw);

/* plugin/list, plugin/add, plugin/del (after debug/ in help, as the reference). */
extern const struct mgmt_cmd plugin_cmds[];

#endif
