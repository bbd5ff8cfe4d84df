// sbx-test: static static-pie
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
int main(int argc, char **argv) {
    printf("pagesz=%lu\n", getauxval(AT_PAGESZ));
    printf("entry_set=%d\n", getauxval(AT_ENTRY) != 0);
    printf("random_set=%d\n", getauxval(AT_RANDOM) != 0);
    printf("secure=%lu\n", getauxval(AT_SECURE));
    printf("phdr_set=%d phnum_set=%d\n", getauxval(AT_PHDR) != 0, getauxval(AT_PHNUM) != 0);
    const char *fn = (const char *)getauxval(AT_EXECFN);
    printf("execfn_is_argv0=%d\n", fn && strcmp(fn, argv[0]) == 0);
    printf("platform=%s\n", (const char *)getauxval(AT_PLATFORM));
    return 0;
}
