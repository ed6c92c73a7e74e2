//go:build !slicelabels && !dedupelabels

package ingest

import "unsafe"

// labelString returns a string that shares b's memory. It is only handed to
// labels.ScratchBuilder.Add, whose Labels method copies every name and value
// into the new label set (the default "stringlabels" implementation), so no
// view into a request buffer outlives the request.
func labelString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
