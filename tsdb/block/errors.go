package block

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error that reports damage to a block's
// files: a checksum mismatch, a wrong size, a truncated or malformed
// structure. The DB moves such a block to quarantine.
var ErrCorrupt = errors.New("corrupt block")

// ErrClosed is returned by Querier after Close, and by the queriers' methods
// after the querier was closed.
var ErrClosed = errors.New("block closed")

// corruptf returns an error wrapping ErrCorrupt with the formatted context.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}
