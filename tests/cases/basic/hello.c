// sbx-test: static static-pie
#include <stdio.h>
int main(int argc, char **argv) {
    printf("hello from %s argc=%d\n", argc > 0 ? "main" : "?", argc);
    fprintf(stderr, "to stderr\n");
    return 0;
}
