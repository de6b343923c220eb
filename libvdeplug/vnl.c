/* vnl.c: being written */
int vde_placeholder_vnl(void);
int vde_placeholder_vnl(void) { return 0; }
