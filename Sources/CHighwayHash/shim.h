#include <highwayhash/c_bindings.h>
