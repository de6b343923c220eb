# libvdeplug: filled in by its owner
