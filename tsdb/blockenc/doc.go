// Package blockenc encodes the samples of one series for long-term storage in
// a block. The block layer compresses pages of encoded series with zstd; this
// package chooses an encoding that zstd compresses well.
package blockenc
