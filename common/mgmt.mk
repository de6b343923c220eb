# common/mgmt.c: management server (owner: mgmt)
