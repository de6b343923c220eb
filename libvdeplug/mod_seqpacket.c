/* mod_seqpacket.c: being written */
int vde_placeholder_mod_seqpacket(void);
int vde_placeholder_mod_seqpacket(void) { return 0; }
