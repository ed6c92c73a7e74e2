// Package gorilla is Vigil's chunk encoding: the compression of Facebook's
// Gorilla paper ("Gorilla: A Fast, Scalable, In-Memory Time Series
// Database", VLDB 2015), with delta-of-delta timestamps and XOR-compressed
// float values, laid out bit for bit as Prometheus' XOR chunk.
//
// A series scraped every 10 s with a steady clock costs about one bit per
// timestamp; a value that did not change costs one bit; a value that changed
// costs roughly its differing mantissa bits.
//
// # API
//
// A Chunk is appended to by one writer and read through copies of its bytes:
//
//	c := gorilla.NewChunk(120)          // or var c gorilla.Chunk
//	c.Append(t, v)                      // t in ms, strictly increasing
//	snap := bytes.Clone(c.Bytes())      // under the writer's lock
//
//	var it gorilla.Iterator             // reusable; zero value is fine
//	it.Reset(snap)
//	for it.Next() {
//		t, v := it.At()
//		_, _ = t, v
//	}
//	if err := it.Err(); err != nil {   // wraps ErrCorrupt
//		return err
//	}
//
// Bytes starts with the sample count, so a copy taken between two Appends
// is a complete chunk that decodes to exactly the samples appended before it.
// Reset lets a Chunk and an Iterator be reused; both then run without
// allocating. Iterator.SeekTo skips to the first sample at or after a time.
// Values round-trip bit for bit, including NaN payloads, the Prometheus stale
// marker (0x7ff0000000000002), ±Inf and -0. An Iterator never panics on
// corrupt or truncated bytes: Next returns false and Err says why.
//
// # Format
//
// Bits are written most significant first; the last byte is padded with zero
// bits.
//
//	header    16 bits   number of samples, big-endian (at most 65535)
//	sample 0  t0 as a zig-zag varint (encoding/binary.PutVarint), 1-10 bytes
//	          v0 as its 64 IEEE 754 bits
//	sample 1  d1 = t1 - t0 as an unsigned varint (PutUvarint), 1-10 bytes
//	          v1 as an XOR against v0 (below)
//	sample n  dod = (tn - tn-1) - (tn-1 - tn-2), in the first bucket that holds it:
//	          0                      dod == 0
//	          10   + 14 bits         -8191 <= dod <= 8192
//	          110  + 17 bits         -65535 <= dod <= 65536
//	          1110 + 20 bits         -524287 <= dod <= 524288
//	          1111 + 64 bits         any other dod
//	          vn as an XOR against vn-1
//
// t0 and d1 start on byte boundaries; everything after d1 is bit-packed.
// Bucket ranges are one off from two's complement (the pattern 10…0 means
// +2^(n-1)), as in Prometheus. Deltas are computed with wrapping int64
// arithmetic, so any sequence of timestamps decodes exactly, but only
// increasing ones are supported by SeekTo and by the store.
//
// A value is written as x = bits(vn) XOR bits(vn-1):
//
//	0                                    x == 0, the value did not change
//	10 + m bits                          x fits the previous window: m = 64-L-T
//	11 + 5 bits L + 6 bits m + m bits    a new window of L leading zeros (capped at 31),
//	                                     m meaningful bits (64 written as 0), T = 64-L-m
//
// where the window is the leading- and trailing-zero counts of the last XOR
// that opened one. The first changed value always opens a window.
//
// For example, with t0 = 1.7e12 ms a constant series on a 10 s grid costs
// 16 + 48 + 64 (sample 0) + 16 + 1 (sample 1) + 2 per further sample, so 120
// samples take 381 bits (48 bytes): 1 bit of timestamp and 1 bit of value
// each. On the data of bench_test.go (120 samples, 10 s grid) a chunk costs
// 16.3 bits per sample for a counter, 23.9 for an integer memory gauge and 55
// for a float gauge with two decimals, whose XORs span most of the mantissa.
// Timestamps jittered by ±5 ms add 13.6 bits per sample: each dod then takes
// the 14-bit bucket.
package gorilla
