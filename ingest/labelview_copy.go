//go:build slicelabels || dedupelabels

package ingest

// labelString copies b. The slicelabels and dedupelabels implementations of
// labels keep the strings given to ScratchBuilder.Add, so they must not be
// views into a request buffer.
func labelString(b []byte) string {
	return string(b)
}
