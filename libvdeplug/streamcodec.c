/* streamcodec.c: being written */
int vde_placeholder_streamcodec(void);
int vde_placeholder_streamcodec(void) { return 0; }
