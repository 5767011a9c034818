// The broker's walk over a produced batch's records (src/records/record-walk.ts has the same
// walk in JS, which stays the reference and the fallback).
#ifndef SAMSA_WALK_RECORDS_H
#define SAMSA_WALK_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/** What walk_records found; the numbers are shared with record-walk.ts. */
enum walk_result {
  WALK_OK = 0,
  WALK_LENGTH_MALFORMED = 1,   // record length varint cut short or too long
  WALK_LENGTH_INVALID = 2,     // record length below the minimum or past the batch (value: length)
  WALK_BAD_FIELDS = 3,         // fields do not fill the record's length (value: length)
  WALK_NEGATIVE_HEADERS = 4,   // negative header count (value: the count)
  WALK_NULL_HEADER_KEY = 5,    // a header with a null key
  WALK_OFFSET_DELTA = 6,       // offsetDelta is not the record's index (value: the delta)
  WALK_COUNT_MISMATCH = 7,     // fewer records than the header says (index: records found)
  WALK_TRAILING_BYTES = 8,     // bytes after the last record (value: how many)
};

/**
 * Checks that buf[start, end) frames exactly `count` v2 records, each internally consistent, and, when
 * `sequential`, that each record's offsetDelta is its index. On failure *index is the record and
 * *value the figure the message quotes.
 */
enum walk_result walk_records(const uint8_t *buf, int64_t start, int64_t end, int64_t count, int sequential,
                              int64_t *index, int64_t *value);

#endif
