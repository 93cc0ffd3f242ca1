/* Test helper: holds a file open the way Excel holds an open workbook,
 * so that no other process may write, replace or delete it (share mode 0).
 * Prints "held" once the file is open, then keeps it open until its
 * standard input reaches end of file.
 *
 * Usage: hold-open.exe FILE     (exit 1 if FILE cannot be opened)
 * Build: x86_64-w64-mingw32-gcc -municode -O2 -o hold-open.exe hold-open.c
 */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hold-open FILE\n");
        return 2;
    }
    HANDLE h = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "cannot open: error %lu\n", GetLastError());
        return 1;
    }
    printf("held\n");
    fflush(stdout);
    char buf[256];
    while (fgets(buf, sizeof buf, stdin) != NULL) {
    }
    CloseHandle(h);
    return 0;
}
