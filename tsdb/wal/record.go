package wal

import (
	"encoding/binary"
	"hash/crc32"
	"slices"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
)

// MaxRecordSize is the largest record Log accepts, in bytes before
// compression. A batch larger than this must be split by the caller.
const MaxRecordSize = 256 << 20

// Record header layout (see tsdb/docs/wal.md):
//
//	flags <1b> | length <4b, little-endian> | CRC32-C <4b, little-endian> | payload <length bytes>
//
// The CRC covers the flags, the length and the stored payload, so a flipped
// bit anywhere in a record is caught.
const (
	headerSize = 9
	crcStart   = 5 // header bytes before it are covered by the CRC
)

// Flag bits. flagRecord is set in every header, so a zero byte, as found in a
// zero-filled tail, never starts a record.
const (
	flagRecord byte = 1 << 0
	flagSnappy byte = 1 << 1
	flagsKnown      = flagRecord | flagSnappy
)

// compressMinSize is the smallest record worth trying to compress.
const compressMinSize = 64

// castagnoli is the CRC32-C table; read-only after init.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeRecords appends the on-disk form of every record to dst. It grows dst
// once; with a large enough dst it does not allocate.
func encodeRecords(dst []byte, recs [][]byte) []byte {
	need := 0
	for _, r := range recs {
		need += headerSize + snappy.MaxEncodedLen(len(r))
	}
	dst = slices.Grow(dst, need)
	for _, r := range recs {
		dst = appendRecord(dst, r)
	}
	return dst
}

// appendRecord appends one record, snappy-compressed when that makes it
// smaller. cap(dst) must leave room for headerSize+MaxEncodedLen(len(rec)).
func appendRecord(dst, rec []byte) []byte {
	start := len(dst)
	out := dst[start : start+headerSize+snappy.MaxEncodedLen(len(rec))]
	payload := out[headerSize:]
	flags, n := flagRecord, 0
	if len(rec) >= compressMinSize {
		// s2.EncodeSnappy writes the snappy block format 2-3x faster than
		// snappy.Encode, which is s2's slower "better" mode; replay reads it
		// with snappy.Decode.
		if enc := s2.EncodeSnappy(payload, rec); len(enc) < len(rec) {
			flags, n = flagRecord|flagSnappy, len(enc)
		}
	}
	if flags&flagSnappy == 0 {
		n = copy(payload, rec)
	}
	putHeader(out[:headerSize], flags, payload[:n])
	return dst[:start+headerSize+n]
}

// putHeader writes the header of a record with the given flags and stored
// payload into h.
func putHeader(h []byte, flags byte, payload []byte) {
	h[0] = flags
	binary.LittleEndian.PutUint32(h[1:crcStart], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[crcStart:headerSize], recordCRC(h, payload))
}

// recordCRC is the checksum of a record with header h and stored payload.
func recordCRC(h, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(h[:crcStart], castagnoli), castagnoli, payload)
}
