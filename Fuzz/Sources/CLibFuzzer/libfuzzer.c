// The declaration in include/libfuzzer.h is all this target provides.
#include "libfuzzer.h"
