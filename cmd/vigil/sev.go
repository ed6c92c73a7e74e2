package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsre/vigil/sevbridge"
)

// sevFlags are the flags of "vigil sev" and its subcommands.
type sevFlags struct {
	clientFlags
	actor string // --actor; default $USER
}

// newSevCmd builds "vigil sev", the parent of the SEV commands.
func newSevCmd() *cobra.Command {
	f := &sevFlags{}
	cmd := &cobra.Command{
		Use:   "sev",
		Short: "List, show, declare and act on SEVs on a Vigil server",
		Long: `Work with the SEVs of a Vigil server (one whose configuration names a SEV
policy, sev.policy_file). Vigil files availability SEVs by itself; people
still declare SEVs of any type and move them along: acknowledge, diagnose,
mitigate, resolve, or set the level. Each action is written in the SEV's
timeline with who did it (--actor, default $USER).

The commands talk to the server's API (GET and POST /api/v1/sevs...).
An error answer is printed as "server answered STATUS: TYPE: MESSAGE" and
the exit code is 1.`,
		Example: `  vigil sev list
  vigil sev show SEV-12
  vigil sev declare --type security --level 1 --title "Leaked deploy key" --route /login
  vigil sev ack SEV-12
  vigil sev set-level SEV-12 0
  vigil sev resolve SEV-12 --actor ana`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f.clientFlags.register(cmd.PersistentFlags(), "vigil sev")
	cmd.PersistentFlags().StringVar(&f.actor, "actor", "", "who is acting, written in the SEV's timeline (default $USER)")
	cmd.AddCommand(newSevListCmd(f), newSevShowCmd(f), newSevDeclareCmd(f), newSevSetLevelCmd(f))
	for _, a := range sevActions {
		cmd.AddCommand(newSevActionCmd(f, a))
	}
	return cmd
}

// newSevListCmd builds "vigil sev list".
func newSevListCmd(f *sevFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every SEV, newest first",
		Long: `List every SEV of the server, newest first, one a line: its id, type,
level (0 is the most critical), state, when it was filed (UTC), its routes
and its title.`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var sevs []*sevbridge.SEV
			if err := f.apiCall(cmd.Context(), "/api/v1/sevs", nil, &sevs); err != nil {
				return err
			}
			return writeSEVTable(cmd.OutOrStdout(), cmd.ErrOrStderr(), sevs)
		},
	}
}

// newSevShowCmd builds "vigil sev show".
func newSevShowCmd(f *sevFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a SEV: its fields, roles, links, impact and timeline",
		Args:  argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var sev sevbridge.SEV
			if err := f.apiCall(cmd.Context(), "/api/v1/sevs/"+url.PathEscape(args[0]), nil, &sev); err != nil {
				return err
			}
			return writeSEV(cmd.OutOrStdout(), &sev)
		},
	}
}

// declareFlags are the flags of "vigil sev declare".
type declareFlags struct {
	typ, level, title string
	routes            []string
}

// newSevDeclareCmd builds "vigil sev declare".
func newSevDeclareCmd(f *sevFlags) *cobra.Command {
	var d declareFlags
	cmd := &cobra.Command{
		Use:   "declare --type TYPE --level LEVEL --title TITLE [--route ROUTE]...",
		Short: "Declare a SEV by hand",
		Long: `Declare a SEV by hand, of any type: availability, durability, security or
feature_degradation, at a level from 0 (most critical) to 3. Its roles are
taken from the policy's rotations and paged, as for a SEV Vigil files
itself. Prints the SEV.`,
		Example: `  vigil sev declare --type durability --level 1 --title "Uploads lost since 14:02" --route /upload`,
		Args:    argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			form, err := d.form(cmd.CommandPath())
			if err != nil {
				return err
			}
			return f.post(cmd, "/api/v1/sevs", form)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&d.typ, "type", "", "availability, durability, security or feature_degradation; required")
	fs.StringVar(&d.level, "level", "", "0 (most critical) to 3; required")
	fs.StringVar(&d.title, "title", "", "what is wrong, in a line; required")
	fs.StringArrayVar(&d.routes, "route", nil, "an affected route; repeat for several")
	return cmd
}

// form checks that the required flags are set and returns the request's
// fields (the actor is added by post).
func (d *declareFlags) form(command string) (url.Values, error) {
	for _, req := range []struct{ name, value string }{{"type", d.typ}, {"level", d.level}, {"title", d.title}} {
		if req.value == "" {
			return nil, &usageError{path: command, err: fmt.Errorf("--%s is required", req.name)}
		}
	}
	return url.Values{"type": {d.typ}, "level": {d.level}, "title": {d.title}, "routes": d.routes}, nil
}

// sevAction is one of the plain actions on a SEV.
type sevAction struct {
	name, short string
}

// sevActions are the actions that take no argument but the SEV's id.
var sevActions = []sevAction{
	{"ack", "Acknowledge a SEV: someone is on it"},
	{"diagnose", "Record that a SEV's cause is known"},
	{"mitigate", "Mark a SEV mitigated: the impact is over"},
	{"resolve", "Resolve a SEV, and its pages"},
}

// newSevActionCmd builds "vigil sev ACTION ID".
func newSevActionCmd(f *sevFlags, a sevAction) *cobra.Command {
	return &cobra.Command{
		Use:   a.name + " ID",
		Short: a.short,
		Args:  argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.post(cmd, actionPath(args[0], a.name), url.Values{})
		},
	}
}

// newSevSetLevelCmd builds "vigil sev set-level ID LEVEL".
func newSevSetLevelCmd(f *sevFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "set-level ID LEVEL",
		Short: "Set a SEV's level, 0 (most critical) to 3, up or down",
		Long: `Set a SEV's level by hand, up or down (Vigil itself only ever raises it).
Raising it updates the pages.`,
		Args: argsError(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := strconv.Atoi(args[1]); err != nil {
				return &usageError{path: cmd.CommandPath(), err: fmt.Errorf("LEVEL %q: want an integer from 0 to 3", args[1])}
			}
			return f.post(cmd, actionPath(args[0], "set-level"), url.Values{"level": {args[1]}})
		},
	}
}

// actionPath is the API path of an action on the SEV id.
func actionPath(id, action string) string {
	return "/api/v1/sevs/" + url.PathEscape(id) + "/" + action
}

// post sends form, with the actor, to path and prints the SEV answered.
func (f *sevFlags) post(cmd *cobra.Command, path string, form url.Values) error {
	actor, err := f.whoActs(cmd.CommandPath())
	if err != nil {
		return err
	}
	form.Set("actor", actor)
	return postSEV(cmd.Context(), &f.clientFlags, path, form, cmd.OutOrStdout())
}

// postSEV sends form to path and prints the SEV answered.
func postSEV(ctx context.Context, f *clientFlags, path string, form url.Values, stdout io.Writer) error {
	var sev sevbridge.SEV
	if err := f.apiCall(ctx, path, form, &sev); err != nil {
		return err
	}
	return writeSEV(stdout, &sev)
}

// whoActs is --actor, or else $USER.
func (f *sevFlags) whoActs(command string) (string, error) {
	actor := strings.TrimSpace(f.actor)
	if actor == "" {
		actor = os.Getenv("USER")
	}
	if actor == "" {
		return "", &usageError{path: command, err: errors.New("--actor is required: $USER is not set")}
	}
	return actor, nil
}
