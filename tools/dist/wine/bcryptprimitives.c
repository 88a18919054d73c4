/*
 * A stand-in for Windows' bcryptprimitives.dll, for running the windows-amd64 plugin under
 * Debian's wine64 (8.0), which lacks that DLL. Rust's standard library (1.78 and later) takes
 * its random bytes from ProcessPrng there, which every Windows 10 and later has; a program
 * built for Windows, the plugin or a hello-world alike, then fails to load under this wine
 * (status c0000135, exit 53). This DLL gives ProcessPrng from RtlGenRandom (advapi32's
 * SystemFunction036), which wine has. It is only for the smoke test
 * (tools/dist/smoke-test.sh): it never ships in an archive.
 */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

/* Fills `data` with `len` random bytes; TRUE on success, as Windows' ProcessPrng. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
