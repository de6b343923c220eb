/* mod_vde.c: being written */
int vde_placeholder_mod_vde(void);
int vde_placeholder_mod_vde(void) { return 0; }
