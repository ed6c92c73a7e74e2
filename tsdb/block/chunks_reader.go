package block

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"

	"github.com/klauspost/compress/zstd"
)

// maxPageSize bounds the uncompressed size a page header may claim.
const maxPageSize = 64 << 20

// chunkReader reads pages of the chunks file. It is safe for concurrent use:
// ReadAt and zstd's DecodeAll are.
type chunkReader struct {
	f    *os.File
	size int64
	dec  *zstd.Decoder
}

// pageCache holds the last page one reader decoded, and its buffers. It is
// used by one goroutine at a time.
type pageCache struct {
	r     *chunkReader
	valid bool
	off   uint64
	comp  []byte
	page  []byte
}

// chunk returns the encoded chunk ref points to. The bytes are valid until
// the next call.
func (c *pageCache) chunk(ref chunkRef) ([]byte, error) {
	if !c.valid || c.off != ref.page {
		c.valid = false
		if err := c.load(ref.page); err != nil {
			return nil, err
		}
		c.valid, c.off = true, ref.page
	}
	end := uint64(ref.off) + uint64(ref.len)
	if end > uint64(len(c.page)) {
		return nil, corruptf("%s: chunk at page %d offset %d length %d beyond page of %d bytes",
			chunksName, ref.page, ref.off, ref.len, len(c.page))
	}
	return c.page[ref.off:end], nil
}

// load reads, verifies and decompresses the page at off.
func (c *pageCache) load(off uint64) error {
	size := uint64(c.r.size)
	if off+pageHeaderSize > size {
		return corruptf("%s: page at %d beyond end %d", chunksName, off, size)
	}
	var hdr [pageHeaderSize]byte
	if _, err := c.r.f.ReadAt(hdr[:], int64(off)); err != nil {
		return fmt.Errorf("read %s page at %d: %w", chunksName, off, err)
	}
	clen, ulen := uint64(binary.LittleEndian.Uint32(hdr[:])), binary.LittleEndian.Uint32(hdr[4:])
	if off+pageHeaderSize+clen+pageCRCSize > size || ulen > maxPageSize {
		return corruptf("%s: page at %d: bad lengths %d, %d", chunksName, off, clen, ulen)
	}
	c.comp = append(c.comp[:0], hdr[:]...)
	c.comp = append(c.comp, make([]byte, clen+pageCRCSize)...)
	if _, err := c.r.f.ReadAt(c.comp[pageHeaderSize:], int64(off+pageHeaderSize)); err != nil {
		return fmt.Errorf("read %s page at %d: %w", chunksName, off, err)
	}
	body := c.comp[:pageHeaderSize+clen]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(c.comp[len(body):]) {
		return corruptf("%s: page at %d: checksum mismatch", chunksName, off)
	}
	page, err := c.r.dec.DecodeAll(body[pageHeaderSize:], c.page[:0])
	if err != nil || len(page) != int(ulen) {
		return corruptf("%s: page at %d: decompress: %v (%d of %d bytes)", chunksName, off, err, len(page), ulen)
	}
	c.page = page
	return nil
}
