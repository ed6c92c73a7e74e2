// Package blockenc encodes the samples of one series for long-term storage
// in a block. The block layer compresses pages of many encoded series with
// zstd; this encoding is small by itself (about one byte per sample on
// counters and 2-decimal gauges, a few bytes per series for constants and
// regular timestamps), byte aligned so that zstd's entropy coder can take it
// close to the data's entropy, and quick to decode (a few ns per sample).
//
//	enc := blockenc.Encode(buf[:0], ts, vs)          // no allocation if buf has room
//	ts, vs, err := blockenc.Decode(enc, ts[:0], vs[:0]) // appends; no allocation if room
//
// Values round-trip bit for bit: NaN payloads (Prometheus' stale marker
// 0x7ff0000000000002 included), ±Inf, -0.0 and subnormals. Decode checks
// every count against what is left of its input and MaxSamples, and returns
// an error wrapping ErrCorrupt on damage, never panicking.
//
// # Format, version 1
//
// Notation: uvarint is an unsigned LEB128 varint (encoding/binary), varint
// a zigzag-encoded signed one, u64 8 bytes little endian.
//
//	byte     format = 1 (a new layout gets a new byte)
//	uvarint  n, the number of samples (≤ MaxSamples); n = 0 ends here
//	         timestamps:
//	varint   ts[0]
//	runs     n-1 items: ts[1]-ts[0], then delta-of-deltas
//	         (ts[i]-ts[i-1]) - (ts[i-1]-ts[i-2])
//	         values:
//	byte     kind: 0 constant, 1 decimal deltas, 2 decimal delta-of-deltas,
//	         3 float
//	uvarint  k, the number of exceptions (k < n)
//	k ×      uvarint gap (values since the previous exception, or since
//	         the start), u64 bits of the exception
//	…        the stream of the kind, for the c = n-k other values in order
//
// A run stream ("runs") of items is a sequence of uvarint tokens: token
// u > 0 is one item, zigzag⁻¹(u-1), so a single zero is the byte 0x01;
// token 0 is followed by a uvarint r: r ≥ 1 stands for r+1 zero items, and
// r = 0 for the one item zigzag cannot shift by one, math.MinInt64. All
// arithmetic wraps, so any int64 sequence round-trips. A regular 10 s grid
// is ts[0], 10000 and one run: 12 bytes for any n.
//
// The kind streams:
//
//	0 constant   u64 bits of the value all c values share
//	1 deltas     varint e, uvarint g, varint m[0], varint bias,
//	             runs of c-1 items s[i]-s[i-1]-bias
//	2 dods       varint e, uvarint g, varint m[0],
//	             runs of c-1 items: s[1]-s[0], then delta-of-deltas
//	3 float      u64 bits of the first value; then per value x = bits XOR
//	             previous bits as a control byte lz<<4|tz (leading and
//	             trailing zero bytes of x, 0x80 for x = 0; lz+tz ≤ 8) and
//	             the 8-lz-tz middle bytes of x, most significant first
//
// Decimal kinds store value i as the int64 mantissa m[i] of a common
// exponent e in [-22, 22]: the value is float64(m)/10^-e for e < 0 and
// float64(m)*10^e otherwise, one correctly rounded operation with an exact
// power of ten, which is what parsing the decimal text gives. Exceptions are
// the values no mantissa can give: NaN, ±Inf and -0.0. The mantissas are
// coded as steps of g ≥ 1, the greatest common divisor of their differences:
// s[i] = (m[i]-m[0])/g, so m[i] = m[0] + g×s[i]. Byte counts that move in
// pages of 4 KiB (memory, file systems) thus cost 12 bits less per value.
// g is 1 when a mantissa is 2^62 or more in magnitude, where the
// differences could wrap.
//
// # How Encode chooses
//
// Values whose bits are all equal (exceptions aside) are constant. Else, if
// at most one value in 8 is an exception and every other value converts
// bit-exactly at one exponent (the largest that works for all), the
// mantissas are decimal: delta-of-deltas, or deltas less a bias (0, which
// makes runs of unchanged gauges and slow counters, or the mean step rounded
// down or up, which centres a busy counter's increments on zero), whichever
// a rough entropy estimate finds smaller. Float is the fallback, and also
// wins when decimal needs more than 2 bytes per value and is larger in
// bytes. With more exceptions than 1 in 8, values are constant or float.
//
// # Compression
//
// Encodings are not compressed here. zstd from klauspost/compress skips
// entropy coding of blocks without matches at its default and fastest
// levels, which is most of what this format gives it: the block layer
// should pass zstd.WithAllLitEntropyCompression(true) (or use
// SpeedBetterCompression), or pages stay their raw size. bench_test.go
// measures bytes per sample raw and after zstd against Prometheus' XOR
// chunks on the same samples.
package blockenc
