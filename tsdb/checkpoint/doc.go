// Package checkpoint stores the head's state in one file, so the store can
// restart without replaying its whole write-ahead log.
//
// A checkpoint named checkpoint.N (Name(N)) lives in the WAL directory and
// holds the head as of the start of WAL segment N: every series with its
// labels, chunks, newest sample and out-of-order samples, plus Meta. On
// restart the store loads the newest checkpoint (Newest, then Read) and
// replays only the WAL segments from N on.
//
// # Use
//
//	n, err := w.Roll() // WAL: records before this are in segments < n
//	err = checkpoint.Write(filepath.Join(walDir, checkpoint.Name(n)), meta,
//		func(yield func(*checkpoint.Series) error) error {
//			for each series s, under its shard's lock { if err := yield(&s); err != nil { return err } }
//			return nil
//		})
//	err = w.RemoveBefore(n) // then remove older checkpoints
//
//	path, n, ok, err := checkpoint.Newest(walDir)
//	meta, err := checkpoint.Read(path, func(s *checkpoint.Series) error {
//		return head.restore(s) // keep s.Labels and chunk Data; copy the slices
//	})
//
// Write streams: it encodes each series as it is yielded, through a
// buffer, into path+".tmp", then fsyncs, renames and fsyncs the directory,
// so a crash leaves either the old state or the complete new file. Read
// loads the whole file, checks its CRC32-C and decodes every series once
// before its callback sees any, so a damaged file changes nothing in the
// caller; it then builds one labels value per series and hands out chunk
// bytes as views of the file buffer. The format is in
// tsdb/docs/checkpoint.md.
package checkpoint
