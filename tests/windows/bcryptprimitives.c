/* Test-only stand-in for bcryptprimitives.dll under Wine 8, which lacks
 * ProcessPrng (imported by Rust's standard library; Windows 10 and 11 have
 * it). Fills the buffer from RtlGenRandom (advapi32 SystemFunction036).
 * Never shipped: real Windows uses its own DLL.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll
 *        bcryptprimitives.c -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
