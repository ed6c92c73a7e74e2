package main

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsre/vigil/sevbridge"
)

// slaFlags are the flags of "vigil sla".
type slaFlags struct {
	clientFlags
	month string // --month, YYYY-MM
}

// newSLACmd builds "vigil sla".
func newSLACmd() *cobra.Command {
	var f slaFlags
	cmd := &cobra.Command{
		Use:   "sla [--month YYYY-MM]",
		Short: "Print the SLA ledger of a month: down minutes, budgets left, SEVs",
		Long: `Print the SLA ledger of a calendar month (UTC) from a Vigil server with a SEV
policy: the minutes of the month, the down minutes (minutes whose global
availability SLI was below the policy's sla.down_below), the budget of
down minutes each target allows (sla.target and sla.internal_target) and
what is left of it (negative when overspent), and the SEVs the down
minutes fell in. Default: the current month.`,
		Example: `  vigil sla
  vigil sla --month 2026-10 --url http://vigil:9096`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := f.path(cmd.CommandPath())
			if err != nil {
				return err
			}
			var r sevbridge.LedgerReport
			if err := f.apiCall(cmd.Context(), path, nil, &r); err != nil {
				return err
			}
			return writeLedger(cmd.OutOrStdout(), r)
		},
	}
	f.clientFlags.register(cmd.Flags(), "vigil sla")
	cmd.Flags().StringVar(&f.month, "month", "", "the month, YYYY-MM (default: the current month, UTC)")
	return cmd
}

// path is the API path of the ledger asked for, checking --month.
func (f *slaFlags) path(command string) (string, error) {
	if f.month == "" {
		return "/api/v1/sla", nil
	}
	if _, err := time.Parse("2006-01", f.month); err != nil {
		return "", &usageError{path: command, err: fmt.Errorf("--month %q: want YYYY-MM, such as 2026-11", f.month)}
	}
	return "/api/v1/sla?" + url.Values{"month": {f.month}}.Encode(), nil
}

// writeLedger prints a ledger report.
func writeLedger(w io.Writer, r sevbridge.LedgerReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Month:\t%s (%d minutes)\n", r.Month, r.Minutes)
	fmt.Fprintf(tw, "Down minutes:\t%d\n\n", r.DownMinutes)
	fmt.Fprintln(tw, "MINUTES\tTARGET\tINTERNAL TARGET")
	fmt.Fprintf(tw, "budget\t%s\t%s\n", minutes(r.Budget.Target), minutes(r.Budget.Internal))
	fmt.Fprintf(tw, "left\t%s\t%s\n", minutes(r.Left.Target), minutes(r.Left.Internal))
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeLedgerSEVs(w, r.SEVs)
}

// minutes writes a figure of minutes to a tenth.
func minutes(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// writeLedgerSEVs prints the SEVs the down minutes fell in.
func writeLedgerSEVs(w io.Writer, sevs []sevbridge.LedgerSEV) error {
	if len(sevs) == 0 {
		_, err := fmt.Fprintln(w, "\nNo down minute fell in a SEV.")
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEV\tDOWN MINUTES")
	for _, s := range sevs {
		fmt.Fprintf(tw, "%s\t%d\n", s.ID, s.DownMinutes)
	}
	return tw.Flush()
}
