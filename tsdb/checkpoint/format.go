package checkpoint

import "hash/crc32"

// The file layout; docs/checkpoint.md has the full format.
const (
	magic       = "VCKP" // first bytes of every checkpoint
	version     = 1      // format version, the byte after magic
	headerSize  = len(magic) + 1
	trailerSize = 8 + 4 // series count, CRC32-C
)

// String tags: a label name or value is one of these, as a uvarint.
const (
	strNew    = 0 // length and bytes follow; the string becomes the next symbol
	strInline = 1 // length and bytes follow; the symbol table is full
	strRef    = 2 // strRef+i refers to symbol i
)

// flagHasLast in a series' flags byte: LastT and LastV follow.
const flagHasLast = 1

// castagnoli is the CRC32-C table; read-only once built.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)
