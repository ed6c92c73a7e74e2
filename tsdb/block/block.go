package block

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Block is an immutable block opened for queries. Its methods are safe for
// concurrent use.
type Block struct {
	dir    string
	meta   Meta
	size   int64
	ix     *index
	chunks *chunkReader
	caches sync.Pool // of *pageCache

	// mu guards closed and the Add side of queriers.
	mu      sync.Mutex
	closed  bool
	queries sync.WaitGroup
}

// Open opens the block in dir after verifying every file: meta.json's own
// checksum, the index (read into memory) and the chunks file (streamed)
// against the sizes and CRC32-C recorded in meta.json. Damage is an error
// wrapping ErrCorrupt; a missing dir is an error wrapping fs.ErrNotExist.
func Open(dir string) (*Block, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("open block %s: %w", dir, err)
	}
	b, err := open(dir)
	if err != nil {
		return nil, fmt.Errorf("open block %s: %w", dir, err)
	}
	return b, nil
}

func open(dir string) (*Block, error) {
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	ix, err := readIndex(dir, meta)
	if err != nil {
		return nil, err
	}
	f, err := openChunks(dir, meta.Chunks)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(maxPageSize))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("create zstd decoder: %w", err), f.Close())
	}
	metaSize, _ := fileSize(filepath.Join(dir, metaName))
	b := &Block{
		dir: dir, meta: meta, ix: ix,
		size:   metaSize + meta.Index.Size + meta.Chunks.Size,
		chunks: &chunkReader{f: f, size: meta.Chunks.Size, dec: dec},
	}
	b.caches.New = func() any { return &pageCache{r: b.chunks} }
	return b, nil
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// readIndex reads and verifies the index file.
func readIndex(dir string, meta Meta) (*index, error) {
	b, err := os.ReadFile(filepath.Join(dir, indexName))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrCorrupt, indexName, err)
	}
	if err := checkFile(indexName, int64(len(b)), crc32.Checksum(b, castagnoli), meta.Index); err != nil {
		return nil, err
	}
	ix, err := parseIndex(b, meta.Chunks.Size)
	if err != nil {
		return nil, err
	}
	if uint64(len(ix.series)) != meta.NumSeries || ix.numChunks != meta.NumChunks {
		return nil, corruptf("%s: %d series, %d chunks; %s says %d, %d", indexName,
			len(ix.series), ix.numChunks, metaName, meta.NumSeries, meta.NumChunks)
	}
	return ix, nil
}

// checkFile compares a file's size and checksum with meta's.
func checkFile(name string, size int64, crc uint32, want FileInfo) error {
	if size != want.Size {
		return corruptf("%s: %d bytes, %s says %d", name, size, metaName, want.Size)
	}
	if crc != want.CRC32C {
		return corruptf("%s: checksum %08x, %s says %08x", name, crc, metaName, want.CRC32C)
	}
	return nil
}

// openChunks opens the chunks file and verifies it by streaming it through
// the checksum.
func openChunks(dir string, want FileInfo) (*os.File, error) {
	f, err := os.Open(filepath.Join(dir, chunksName))
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %w", ErrCorrupt, chunksName, err)
	}
	if err := verifyChunks(f, want); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return f, nil
}

func verifyChunks(f *os.File, want FileInfo) error {
	h := crc32.New(castagnoli)
	var hdr bytes.Buffer
	n, err := io.CopyBuffer(io.MultiWriter(h, &limitedBuffer{&hdr, fileHeaderSize}), f, make([]byte, 1<<16))
	if err != nil {
		return fmt.Errorf("read %s: %w", chunksName, err)
	}
	if err := checkFile(chunksName, n, h.Sum32(), want); err != nil {
		return err
	}
	if !bytes.Equal(hdr.Bytes(), fileHeader(chunksMagic)) {
		return corruptf("%s: bad header", chunksName)
	}
	return nil
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	n   int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if rest := l.n - l.buf.Len(); rest > 0 {
		l.buf.Write(p[:min(rest, len(p))])
	}
	return len(p), nil
}

// Meta returns the block's meta.
func (b *Block) Meta() Meta { return b.meta }

// Dir returns the block's directory.
func (b *Block) Dir() string { return b.dir }

// Size returns the bytes of the block's files on disk.
func (b *Block) Size() int64 { return b.size }

// Close waits for the block's open queriers to be closed, then releases its
// files. Querier fails after Close.
func (b *Block) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.queries.Wait()
	b.chunks.dec.Close()
	if err := b.chunks.f.Close(); err != nil {
		return fmt.Errorf("close block %s: %w", b.dir, err)
	}
	return nil
}

// acquire counts a new querier; it fails once the block is closed.
func (b *Block) acquire() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("querier of block %s: %w", b.dir, ErrClosed)
	}
	b.queries.Add(1)
	return nil
}
