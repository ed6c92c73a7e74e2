// Package block writes, verifies and queries immutable blocks: the samples
// of a time range, cut from the head or compacted from other blocks, in
// three files under one directory.
//
// # Using it
//
//	meta, err := block.Write(blocksDir, id, head.blockSource(mint, cut-1), block.WriteOptions{})
//	b, err := block.Open(filepath.Join(blocksDir, id)) // errors.Is(err, block.ErrCorrupt) → quarantine
//	q, err := b.Querier(mint, maxt)                    // a storage.Querier; Close it
//	meta, err = block.Compact(blocksDir, newID, []*block.Block{b1, b2}, block.WriteOptions{})
//	err = b.Close()                                    // waits for open queriers
//	err = block.RemoveTmp(blocksDir)                   // at startup: drop interrupted writes
//
// # Files
//
// A block directory <id>/ holds meta.json, index and chunks; the byte
// layout is in FORMAT.md beside this file. In short:
//
//   - chunks: an 8-byte header ("VGCH", version 1, three zero bytes), then
//     pages. A page is u32 compressed length, u32 uncompressed length, a
//     zstd frame and a CRC32-C of those three. Uncompressed, a page is the
//     blockenc encodings of consecutive chunks, cut once it reaches
//     WriteOptions.PageSize (64 KiB); a chunk never straddles two pages. A
//     chunk is at most MaxChunkSamples (2048) samples of one series, so a
//     long series is read a page at a time.
//   - index: an 8-byte header ("VGIX", 1, 0, 0, 0); the series section (one
//     entry per series in label order: labels as symbol refs, then per chunk
//     minT, maxT, page offset, offset and length in the page, sample count);
//     the symbol table (every label string once); the postings (per label
//     name, per value, the sorted series ids); the sorted label names; a
//     table of contents (u64 offsets of the symbols, postings and names
//     sections, u64 series count); a CRC32-C of everything before it.
//     Series ids are entry numbers, so sorted ids are label order.
//   - meta.json: the Meta (id, time range, counts, level, parents, format
//     version, size and CRC32-C of index and chunks) and "checksum", a
//     CRC32-C of the same JSON written with checksum 0. Open accepts only
//     the exact bytes Write produces for the values it reads back.
//
// All integers are little endian; varints are encoding/binary's.
//
// # Writing
//
// Write streams: each series' samples are cut into chunks and appended to
// the current page; a full page is compressed and written. Each series'
// index entry is written as soon as its chunks have refs. Only the symbols,
// the postings (uint32 ids) and one page stay in memory; symbols and
// postings are written at the end, which is why they follow the series
// section. Symbol refs are numbered in order of first use.
//
// Crash safety: everything is written into <id>.tmp; chunks, index and
// meta.json are fsynced, then the directory, which is then renamed to <id>,
// and the parent is fsynced. A crash leaves either the whole block or none
// plus a <id>.tmp that RemoveTmp deletes. A failed Write removes its tmp.
//
// # Opening
//
// Open verifies meta.json, reads the index into memory and checks its size
// and checksum against meta.json (and its own footer), decodes symbols and
// postings and checks every series entry, then streams the chunks file
// through a CRC32-C. Any mismatch is an error wrapping ErrCorrupt. The
// chunks file stays open for queries; one zstd decoder serves them all
// (DecodeAll is safe for concurrent use).
//
// # Querying
//
// Select resolves its matchers on the postings with Prometheus'
// PostingsForMatchers semantics (see postingsForMatchers), then walks the
// ids in order, decoding each entry from the in-memory index and keeping
// the series with a chunk that overlaps the range. A series whose chunk
// overlaps the range without a sample in it is returned with no samples:
// Select reads no chunk. Chunks are read when a series is iterated, through
// a page cache per Select that keeps the last decompressed page, so series
// that share a page decompress it once; the caches return to a pool of the
// block when the querier closes. A page's CRC is checked whenever it is
// read: damage found then is the iterator's Err, wrapping ErrCorrupt.
//
// Labels with an empty value are kept in a series' labels but not in the
// postings: to matchers, as in Prometheus, an empty value is no value.
package block
