package block

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsre/vigil/tsdb/blockenc"
)

// Layout constants of the chunks and index files (see doc.go).
const (
	chunksMagic    = "VGCH"
	indexMagic     = "VGIX"
	fileHeaderSize = 8 // magic, version byte, 3 zero bytes
	pageHeaderSize = 8 // compressed length, uncompressed length
	pageCRCSize    = 4
)

// chunkRef locates one encoded chunk: the page at file offset page, bytes
// [off, off+len) of the page once decompressed.
type chunkRef struct {
	minT, maxT int64
	page       uint64
	off, len   uint32
	samples    uint32
}

// chunkWriter writes the chunks file: encoded chunks are gathered into an
// uncompressed page, which is zstd-compressed and written once it reaches
// pageSize. Only the current page is kept in memory.
type chunkWriter struct {
	w        *bufio.Writer
	crc      hash.Hash32 // of the whole file
	enc      *zstd.Encoder
	pageSize int

	pos  uint64 // bytes written so far: the offset of the current page
	page []byte // the current page, uncompressed
	comp []byte // scratch for the compressed page
}

// newChunkWriter writes the file header to w.
func newChunkWriter(w io.Writer, pageSize int) (*chunkWriter, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false),
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithAllLitEntropyCompression(true))
	if err != nil {
		return nil, fmt.Errorf("create zstd encoder: %w", err)
	}
	cw := &chunkWriter{
		w: bufio.NewWriterSize(w, 1<<16), crc: crc32.New(castagnoli), enc: enc,
		pageSize: pageSize, page: make([]byte, 0, pageSize+pageSize/4),
	}
	return cw, cw.write(fileHeader(chunksMagic))
}

// fileHeader returns the 8-byte header of a file with the given magic.
func fileHeader(magic string) []byte {
	return append([]byte(magic), FormatVersion, 0, 0, 0)
}

func (cw *chunkWriter) write(b []byte) error {
	if _, err := cw.w.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", chunksName, err)
	}
	cw.crc.Write(b)
	cw.pos += uint64(len(b))
	return nil
}

// add encodes one chunk into the current page and returns its ref; the page
// is written when full.
func (cw *chunkWriter) add(ts []int64, vs []float64) (chunkRef, error) {
	off := len(cw.page)
	cw.page = blockenc.Encode(cw.page, ts, vs)
	ref := chunkRef{
		minT: ts[0], maxT: ts[len(ts)-1], page: cw.pos,
		off: uint32(off), len: uint32(len(cw.page) - off), samples: uint32(len(ts)),
	}
	if len(cw.page) >= cw.pageSize {
		return ref, cw.flushPage()
	}
	return ref, nil
}

// flushPage compresses and writes the current page: header, zstd frame,
// CRC32-C of both.
func (cw *chunkWriter) flushPage() error {
	if len(cw.page) == 0 {
		return nil
	}
	cw.comp = append(cw.comp[:0], make([]byte, pageHeaderSize)...)
	cw.comp = cw.enc.EncodeAll(cw.page, cw.comp)
	binary.LittleEndian.PutUint32(cw.comp[0:], uint32(len(cw.comp)-pageHeaderSize))
	binary.LittleEndian.PutUint32(cw.comp[4:], uint32(len(cw.page)))
	cw.comp = binary.LittleEndian.AppendUint32(cw.comp, crc32.Checksum(cw.comp, castagnoli))
	cw.page = cw.page[:0]
	return cw.write(cw.comp)
}

// finish writes the last page and flushes; it returns the file's size and
// checksum.
func (cw *chunkWriter) finish() (FileInfo, error) {
	defer cw.enc.Close()
	if err := cw.flushPage(); err != nil {
		return FileInfo{}, err
	}
	if err := cw.w.Flush(); err != nil {
		return FileInfo{}, fmt.Errorf("write %s: %w", chunksName, err)
	}
	return FileInfo{Size: int64(cw.pos), CRC32C: cw.crc.Sum32()}, nil
}
