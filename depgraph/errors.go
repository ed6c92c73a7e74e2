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
// edges. Cycle lists the names of the alerts and services along it, each
// once, the first repeated at the end: a simple cycle of the declared
// graph, where a service leads on to the services it depends on and to its
// member alerts (`A -> web -> db -> A`: A belongs to web and to db, and web
// depends on db). Build reports one per strongly connected part of the
// graph.
type CycleError struct {
	Cycle []string
}

// Error formats the cycle as `dependency cycle: A -> B -> C -> A`.
func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Cycle, " -> ")
}
