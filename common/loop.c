/*
 * loop: see loop.h.
 */
#include "loop.h"
