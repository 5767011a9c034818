// CRC-32C over a byte range, with the SSE4.2 instruction where the CPU has it.
#ifndef SAMSA_CRC32C_H
#define SAMSA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SAMSA_HAVE_CRC32C_HW 1
/** 1 when the CPU has SSE4.2 (and the shift tables are ready), else 0; call before crc32c_hw. */
int crc32c_hw_init(void);
/** CRC-32C of len bytes at p, continuing `crc` (0 to start; the result of the bytes before to go on). */
uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t len);
#else
#define SAMSA_HAVE_CRC32C_HW 0
#endif

#endif
