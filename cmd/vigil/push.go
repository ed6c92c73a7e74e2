package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsre/vigil/ingest"
)

// textContentType is the media type of the text exposition format.
const textContentType = "text/plain; version=0.0.4; charset=utf-8"

// newPushCmd builds "vigil push".
func newPushCmd() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "push [FILE|-]",
		Short: "Push samples in the Prometheus text format to a Vigil server",
		Long: `Push a file in the Prometheus text exposition format to a Vigil server
(POST ` + ingest.ImportPath + `). With no FILE, or with -, read standard input.

A sample with a timestamp (milliseconds since the epoch, after the value) is
stored at that time; a sample without one gets the time the server receives
it. The whole file is checked before anything is stored: on a bad line the
server answers 400, nothing is stored, and push prints the server's message
(which names the line) and exits 1. Samples the store rejects (older than
the newest sample of their series, or the same timestamp with another value)
are counted in the message; the others are stored.`,
		Example: `  # A file:
  vigil push --url http://localhost:9096 metrics.prom

  # Standard input, one sample stamped with the arrival time:
  echo 'deploys_total{service="web"} 42' | vigil push -

  # Your own /metrics, right now:
  curl -s http://localhost:9100/metrics | vigil push --url http://vigil:9096`,
		Args: argsError(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := "-"
			if len(args) == 1 {
				file = args[0]
			}
			return push(cmd.Context(), &f, file, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	f.register(cmd.Flags(), "vigil push")
	return cmd
}

// push sends file ("-" for stdin) to the server and reports how many samples
// were written when the server says.
func push(ctx context.Context, f *clientFlags, file string, stdin io.Reader, stdout io.Writer) error {
	url, err := f.endpoint(ingest.ImportPath)
	if err != nil {
		return err
	}
	body, name, err := readInput(file, stdin)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return fmt.Errorf("nothing to push: %s is empty", name)
	}
	written, err := post(ctx, f.client(), url, body)
	if err != nil {
		return fmt.Errorf("push %s: %w", name, err)
	}
	if written != "" {
		_, err = fmt.Fprintf(stdout, "pushed %s: %s samples written\n", name, written)
	}
	return err
}

// readInput reads file, or stdin when file is "-", and names it for messages.
func readInput(file string, stdin io.Reader) ([]byte, string, error) {
	if file == "-" {
		body, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "", fmt.Errorf("read standard input: %w", err)
		}
		return body, "standard input", nil
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return nil, "", err // "open FILE: no such file or directory"
	}
	return body, file, nil
}

// post sends a text-format body and returns the samples-written header.
func post(ctx context.Context, c *http.Client, url string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", textContentType)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", readStatusError(resp)
	}
	return resp.Header.Get(ingest.SamplesWrittenHeader), nil
}
