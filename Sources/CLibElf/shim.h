// Debian's libelf-dev (elfutils): libelf.h and gelf.h.
#include <libelf.h>
#include <gelf.h>
