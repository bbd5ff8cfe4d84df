// sbx-test: args one "two words" three
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    printf("LANG=%s\n", getenv("LANG") ? getenv("LANG") : "(unset)");
    printf("NOPE=%s\n", getenv("NOPE") ? getenv("NOPE") : "(unset)");
    return 0;
}
