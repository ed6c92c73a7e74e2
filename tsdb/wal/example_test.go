package wal_test

import (
	"fmt"
	"os"

	"github.com/vigilsre/vigil/tsdb/wal"
)

func Example() {
	dir, err := os.MkdirTemp("", "wal-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// An empty log: nothing to replay.
	l, err := wal.Open(dir, wal.Options{}, nil)
	if err != nil {
		panic(err)
	}
	// One call per accepted batch; it returns after write(2) and fsync.
	if err := l.Log([]byte(`series 1 {job="api"}`), []byte("samples 1@1700000000000=42")); err != nil {
		panic(err)
	}
	if err := l.Close(); err != nil {
		panic(err)
	}

	// Reopening replays the records in order.
	l, err = wal.Open(dir, wal.Options{}, func(rec []byte) error {
		fmt.Println(string(rec)) // rec is valid only during the call
		return nil
	})
	if err != nil {
		panic(err)
	}
	if err := l.Close(); err != nil {
		panic(err)
	}
	// Output:
	// series 1 {job="api"}
	// samples 1@1700000000000=42
}
