/* vdeplug.c: being written */
int vde_placeholder_vdeplug(void);
int vde_placeholder_vdeplug(void) { return 0; }
