package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The protobuf wire format, read by hand. Every function takes the bytes of
// the enclosing message and an offset into them, and returns the offset after
// what it read. The rules (what is an error, what is skipped) are those of
// the gogo-generated prompb.WriteRequest.Unmarshal, so that both accept and
// reject the same inputs; FuzzDecodeRemoteWrite holds them to it.

// Wire types.
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

var (
	errTruncated      = errors.New("unexpected end of message")
	errVarintOverflow = errors.New("varint longer than 10 bytes")
	errLength         = errors.New("length runs past the end of the message")
	errEndGroup       = errors.New("end-group tag without a start-group tag")
)

// readVarint reads a base-128 varint. Like gogo it accepts up to ten bytes
// and drops bits past the 64th.
func readVarint(b []byte, i int) (uint64, int, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(b) {
			return 0, i, errTruncated
		}
		c := b[i]
		i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i, nil
		}
	}
	return 0, i, errVarintOverflow
}

// readTag reads a field tag. As in gogo, the field number is the low 32 bits
// of the tag shifted right by three and must be positive, and a tag may not
// end a group that was never started.
func readTag(b []byte, i int) (num int32, wt int, next int, err error) {
	v, i, err := readVarint(b, i)
	if err != nil {
		return 0, 0, i, err
	}
	num, wt = int32(v>>3), int(v&7)
	if wt == wireEndGroup {
		return 0, 0, i, errEndGroup
	}
	if num <= 0 {
		return 0, 0, i, fmt.Errorf("illegal field number %d", num)
	}
	return num, wt, i, nil
}

// readLen reads a length prefix and returns the bounds of what follows.
func readLen(b []byte, i int) (start, end int, err error) {
	n, i, err := readVarint(b, i)
	if err != nil {
		return 0, 0, err
	}
	if n > uint64(len(b)-i) {
		return 0, 0, errLength
	}
	return i, i + int(n), nil
}

// readFixed64 reads eight little-endian bytes.
func readFixed64(b []byte, i int) (uint64, int, error) {
	if len(b)-i < 8 {
		return 0, i, errTruncated
	}
	return binary.LittleEndian.Uint64(b[i:]), i + 8, nil
}

// wantWireType checks the wire type of a known field.
func wantWireType(got, want int) error {
	if got != want {
		return fmt.Errorf("wire type %d, want %d", got, want)
	}
	return nil
}

// readMessage reads a length-delimited field and returns its bounds.
func readMessage(b []byte, i, wt int) (start, end int, err error) {
	if err := wantWireType(wt, wireBytes); err != nil {
		return 0, 0, err
	}
	return readLen(b, i)
}

// skipValue skips the value of an unknown field of wire type wt.
func skipValue(b []byte, i, wt int) (int, error) {
	var err error
	switch wt {
	case wireVarint:
		_, i, err = readVarint(b, i)
	case wireFixed64:
		i, err = skipBytes(b, i, 8)
	case wireBytes:
		_, i, err = readLen(b, i)
	case wireFixed32:
		i, err = skipBytes(b, i, 4)
	case wireStartGroup:
		i, err = skipGroup(b, i)
	default:
		err = fmt.Errorf("illegal wire type %d", wt)
	}
	return i, err
}

// skipBytes skips n bytes.
func skipBytes(b []byte, i, n int) (int, error) {
	if len(b)-i < n {
		return i, errTruncated
	}
	return i + n, nil
}

// skipGroup skips a group whose start tag was just read, with its nested
// groups. As in gogo, tags inside a group are not checked beyond their wire
// type.
func skipGroup(b []byte, i int) (int, error) {
	for depth := 1; depth > 0; {
		v, next, err := readVarint(b, i)
		if err != nil {
			return next, err
		}
		switch wt := int(v & 7); wt {
		case wireStartGroup:
			depth, i = depth+1, next
		case wireEndGroup:
			depth, i = depth-1, next
		default:
			if i, err = skipValue(b, next, wt); err != nil {
				return i, err
			}
		}
	}
	return i, nil
}
