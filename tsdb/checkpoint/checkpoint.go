package checkpoint

import (
	"errors"
	"fmt"

	"github.com/prometheus/prometheus/model/labels"
)

// ErrCorrupt is wrapped by the error Read returns for a file that is
// truncated, damaged or not a checkpoint.
var ErrCorrupt = errors.New("corrupt checkpoint")

// namePrefix starts the file name of every checkpoint.
const namePrefix = "checkpoint."

// nameDigits is the zero-padded width of the segment number in a name, the
// same as a WAL segment's.
const nameDigits = 8

// Chunk is one chunk of a series: gorilla chunk bytes (tsdb/gorilla) and the
// times of its first and last samples.
type Chunk struct {
	MinT, MaxT int64
	Data       []byte
}

// Sample is one out-of-order sample waiting in the head.
type Sample struct {
	T int64
	V float64
}

// Series is the head's state of one series.
type Series struct {
	Ref    uint64
	Labels labels.Labels
	// LastT and LastV are the newest sample appended, when HasLast.
	LastT   int64
	LastV   float64
	HasLast bool
	// Chunks are oldest first; the last may be the open chunk.
	Chunks []Chunk
	// OutOfOrder are the out-of-order samples not yet in a chunk, by T.
	OutOfOrder []Sample
}

// Meta is the head-wide state stored with the series.
type Meta struct {
	// Segment is the WAL segment the checkpoint precedes: it holds every
	// record logged before segment Segment was started.
	Segment int
	// NextID is the next series reference the head will hand out.
	NextID uint64
	// MinValidTime is the head's lower bound for appends (ms).
	MinValidTime int64
}

// Name returns the file name of the checkpoint that precedes WAL segment
// segment, e.g. "checkpoint.00000012".
func Name(segment int) string {
	return fmt.Sprintf("%s%0*d", namePrefix, nameDigits, segment)
}

// parseName returns the segment number in a checkpoint file name; ok is
// false for any other name, "checkpoint.00000012.tmp" included.
func parseName(name string) (segment int, ok bool) {
	digits := name[min(len(name), len(namePrefix)):]
	if len(name) <= len(namePrefix) || name[:len(namePrefix)] != namePrefix || len(digits) < nameDigits {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
