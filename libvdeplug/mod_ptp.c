/* mod_ptp.c: being written */
int vde_placeholder_mod_ptp(void);
int vde_placeholder_mod_ptp(void) { return 0; }
