package blockenc

import "encoding/binary"

// appendUvarint appends x as an unsigned LEB128 varint.
func appendUvarint(dst []byte, x uint64) []byte {
	return binary.AppendUvarint(dst, x)
}

// appendVarint appends x zigzag-encoded as a varint.
func appendVarint(dst []byte, x int64) []byte {
	return binary.AppendVarint(dst, x)
}

// uvarint reads an unsigned varint; k <= 0 means truncated or overflowing.
func uvarint(src []byte) (uint64, int) {
	if len(src) > 0 && src[0] < 0x80 {
		return uint64(src[0]), 1
	}
	return binary.Uvarint(src)
}

// varint reads a zigzag varint; k <= 0 means truncated or overflowing.
func varint(src []byte) (int64, int) {
	if len(src) > 0 && src[0] < 0x80 {
		u := uint64(src[0])
		return int64(u>>1) ^ -int64(u&1), 1
	}
	return binary.Varint(src)
}

// uvarintLen is the length of x as an unsigned varint.
func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// zigzag maps signed to unsigned so small magnitudes stay small.
func zigzag(x int64) uint64 {
	return uint64(x<<1) ^ uint64(x>>63)
}
