// sbx-test: static
#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("about to abort\n");
    fflush(stdout);
    raise(SIGTERM);
    return 0;
}
