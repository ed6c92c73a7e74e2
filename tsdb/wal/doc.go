// Package wal is Vigil's write-ahead log: an append-only sequence of opaque
// records in numbered segment files. The store (package tsdb) encodes its
// series and sample records, logs them once per accepted batch before it
// acknowledges the push, and replays them into its head when it opens.
//
// # Use
//
//	l, err := wal.Open(dir, wal.Options{SyncInterval: time.Second}, func(rec []byte) error {
//		return head.apply(rec) // rec is valid only during the call: copy what you keep
//	})
//	if err != nil {
//		return err
//	}
//	if err := l.Log(seriesRec, samplesRec); err != nil { // one write(2), then acknowledge
//		return err
//	}
//	return l.Close() // fsyncs
//
// # Durability
//
// Log writes all records of a call with a single write(2) to the segment
// before it returns, so once it returns a kill -9 of the process cannot lose
// them: they are in the kernel's page cache. Against a machine crash,
// Options.SyncInterval chooses: 0 makes every Log call wait for an fsync
// that covers its records ("wal_sync: always"); a positive interval lets a
// background goroutine fsync that often, so at most about one interval of
// acknowledged writes can be lost.
//
// # Group commit
//
// Log is Write, which orders the records (one write(2) under the log's lock)
// and returns their Position, then WaitDurable, which waits for an fsync
// covering that position. Concurrent waiters share fsyncs: while one runs,
// the writes made meanwhile queue, and when it ends the first of their
// callers fsyncs once for all of them; an fsync runs without the lock, so
// writes go on during it. A caller that must order its writes under locks of
// its own calls Write under them and WaitDurable after releasing them:
//
//	pos, err := l.Write(recs...) // under the caller's locks: the log's order is theirs
//	unlock()
//	err = l.WaitDurable(pos) // then acknowledge
//
// An fsync error reaches every caller waiting for a position it did not
// make durable, and the log takes no more writes. vigil_wal_writes_total and
// the count of vigil_wal_fsync_duration_seconds show how many writes shared
// each fsync.
//
// # Checkpoints and truncation
//
// The log only grows until the store checkpoints its head: Roll starts a
// new segment N (every earlier record is in a segment below N), the store
// writes its head state as checkpoint.N (package tsdb/checkpoint) in the same
// directory, then calls RemoveBefore(N). On the next start it opens the log
// with Options.ReplayFrom = N: segments below N are removed unread and the
// rest replayed on top of the checkpoint. Files that are not segments, such
// as checkpoint.*, are ignored. Size reports the bytes of all segments.
//
// # Format and repair
//
// Segments are files named by an 8-digit, zero-padded, increasing number
// (00000001, 00000002, …) and are rolled at Options.SegmentSize; a record never
// spans segments. Each record is a 9-byte header — flags (record marker and
// snappy bit), payload length, CRC32-Castagnoli of header and payload — and
// the payload, snappy-compressed when that makes it smaller. Open stops at the
// first record that is torn, zero-filled, garbage or fails its checksum,
// truncates the log there, removes later segments, logs a warning naming the
// position (a CorruptionError) and carries on. The full format is in
// tsdb/docs/wal.md.
package wal
