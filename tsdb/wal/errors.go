package wal

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by Log and Close after Close.
	ErrClosed = errors.New("wal closed")
	// ErrRecordTooLarge is returned by Log for a record over MaxRecordSize.
	ErrRecordTooLarge = errors.New("wal record too large")
)

// Reasons a record is corrupt; a CorruptionError wraps one of them.
var (
	errTornHeader  = errors.New("torn record header")
	errTornPayload = errors.New("torn record payload")
	errZeroTail    = errors.New("zero-filled tail")
	errBadFlags    = errors.New("invalid record flags")
	errTooLong     = errors.New("record length over maximum")
	errChecksum    = errors.New("checksum mismatch")
	errDecompress  = errors.New("undecodable compressed record")
	errMissingSeg  = errors.New("missing segment")
)

// CorruptionError reports damage found while reading the log: the record
// starting at byte Offset of segment Segment is torn, zero-filled, garbage or
// fails its checksum, or the segment after Segment is missing (then Offset is
// the end of Segment). Open repairs such damage itself and logs the error as
// a warning; it is exported so the warning and tests can name the position.
type CorruptionError struct {
	Segment int
	Offset  int64
	Err     error
}

// Error implements error.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal segment %s offset %d: %v", segmentName(e.Segment), e.Offset, e.Err)
}

// Unwrap returns the reason.
func (e *CorruptionError) Unwrap() error { return e.Err }
