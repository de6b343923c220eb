/* stream.c: being written */
int vde_placeholder_stream(void);
int vde_placeholder_stream(void) { return 0; }
