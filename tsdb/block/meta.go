package block

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// FormatVersion is the version of the block format this package writes and
// reads, recorded in meta.json and in the header of the index and chunks
// files.
const FormatVersion = 1

// File names inside a block directory.
const (
	metaName   = "meta.json"
	indexName  = "index"
	chunksName = "chunks"
)

// castagnoli is the CRC32-C table every checksum of the format uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Meta describes a block: what it holds and how to verify its files.
type Meta struct {
	// ID names the block; it is the name of its directory.
	ID string `json:"id"`
	// MinT and MaxT bound the block's time range, inclusive, in ms. Every
	// sample lies in it; compacted blocks cover their sources' ranges.
	MinT int64 `json:"minT"`
	MaxT int64 `json:"maxT"`
	// NumSeries, NumChunks and NumSamples count what the block holds.
	NumSeries  uint64 `json:"numSeries"`
	NumChunks  uint64 `json:"numChunks"`
	NumSamples uint64 `json:"numSamples"`
	// Level is 1 for a block cut from the head, max(sources)+1 when compacted.
	Level int `json:"level"`
	// Parents lists the ids of the blocks it was compacted from.
	Parents []string `json:"parents"`
	// Version is the format version (FormatVersion).
	Version int `json:"version"`
	// Index and Chunks give the size and checksum of the two data files.
	Index  FileInfo `json:"index"`
	Chunks FileInfo `json:"chunks"`
}

// FileInfo is the size and CRC32-C of a whole file.
type FileInfo struct {
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

// metaFile is meta.json: the meta and a CRC32-C of the same JSON written
// with Checksum 0.
type metaFile struct {
	Meta
	Checksum uint32 `json:"checksum"`
}

// encodeMeta returns the canonical bytes of meta.json for m.
func encodeMeta(m Meta) ([]byte, error) {
	f := metaFile{Meta: m}
	if f.Parents == nil {
		f.Parents = []string{}
	}
	raw, err := marshalMeta(f)
	if err != nil {
		return nil, err
	}
	f.Checksum = crc32.Checksum(raw, castagnoli)
	return marshalMeta(f)
}

func marshalMeta(f metaFile) ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		return nil, fmt.Errorf("encode meta: %w", err)
	}
	return append(b, '\n'), nil
}

// decodeMeta parses meta.json and verifies it: its checksum, and that it is
// exactly the canonical encoding of what it says (so that no byte, not even
// white space or the case of a key, can change unnoticed).
func decodeMeta(b []byte) (Meta, error) {
	var f metaFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Meta{}, corruptf("parse %s: %v", metaName, err)
	}
	sum := f.Checksum
	canon, err := encodeMeta(f.Meta)
	if err != nil {
		return Meta{}, err
	}
	if !bytes.Equal(canon, b) {
		return Meta{}, corruptf("%s checksum %08x: content does not match", metaName, sum)
	}
	if f.Version != FormatVersion {
		return Meta{}, corruptf("%s: format version %d, want %d", metaName, f.Version, FormatVersion)
	}
	if len(f.Parents) == 0 {
		f.Parents = nil
	}
	return f.Meta, nil
}

// readMeta reads and verifies dir/meta.json.
func readMeta(dir string) (Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return Meta{}, fmt.Errorf("%w: read %s: %w", ErrCorrupt, metaName, err)
	}
	return decodeMeta(b)
}
