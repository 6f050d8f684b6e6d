#include "swasm_runtime.h"
