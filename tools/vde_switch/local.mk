# tools/vde_switch: filled in by its owner
