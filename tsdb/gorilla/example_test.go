package gorilla_test

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

func Example() {
	c := gorilla.NewChunk(120)
	for i := range int64(4) {
		c.Append(1_700_000_000_000+i*10_000, float64(100+i))
	}
	snap := bytes.Clone(c.Bytes()) // a copy stays valid after further Appends
	c.Append(1_700_000_040_000, 104)

	var it gorilla.Iterator
	it.Reset(snap)
	for it.Next() {
		t, v := it.At()
		fmt.Println(t, v)
	}
	if err := it.Err(); err != nil {
		fmt.Println(err)
	}
	// The first two bytes count the samples, big-endian.
	fmt.Printf("snapshot: %d samples in %d bytes; chunk now: %d samples\n",
		binary.BigEndian.Uint16(snap), len(snap), c.NumSamples())
	// Output:
	// 1700000000000 100
	// 1700000010000 101
	// 1700000020000 102
	// 1700000030000 103
	// snapshot: 4 samples in 23 bytes; chunk now: 5 samples
}

func ExampleIterator_SeekTo() {
	var c gorilla.Chunk // the zero value is an empty chunk
	for i := range int64(6) {
		c.Append(i*15_000, float64(i))
	}
	var it gorilla.Iterator
	it.Reset(c.Bytes())
	if it.SeekTo(40_000) {
		t, v := it.At()
		fmt.Println(t, v)
	}
	// Output:
	// 45000 3
}
