package depgraph

import (
	"strconv"
	"strings"
)

// Error is a problem of one declaration: Build's unknown references and
// invalid entries, ParseServices' syntax and schema errors. Build and
// ParseServices return every Error they find, joined with errors.Join.
type Error struct {
	File string // "" when the declaration came without a file
	Line int    // 0 when unknown
	Msg  string
}

// Error formats the problem as FILE:LINE: reason.
func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.Msg
}

// CycleError is a dependency cycle, through any mix of alert and service
// edges. Cycle lists the node names along it, the first name repeated at
// the end.
type CycleError struct {
	Cycle []string
}

// Error formats the cycle as `dependency cycle: A -> B -> C -> A`.
func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Cycle, " -> ")
}
