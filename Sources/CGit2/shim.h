#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call. */
static inline int sds_git_disable_owner_validation(void) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}
