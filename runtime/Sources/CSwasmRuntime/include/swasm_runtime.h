// Entry points of the C side of the runtime.
#pragma once
