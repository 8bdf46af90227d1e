package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/simulate"
)

func newPolicy() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate and simulate IAM policies offline",
	}
	var kind string
	validate := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check policy documents as IAM would; exit 1 when any is invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := policy.ParseKind(kind)
			if !ok {
				return fmt.Errorf("unknown --kind %q", kind)
			}
			bad := 0
			for _, f := range args {
				doc, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if err := simulate.Validate(doc, k); err != nil {
					bad++
					var se *policy.SyntaxError
					if errors.As(err, &se) && se.Line > 0 {
						fmt.Fprintf(cmd.OutOrStdout(), "%s:%d:%d: MalformedPolicyDocument: %s\n", f, se.Line, se.Column, se.Reason)
					} else {
						fmt.Fprintf(cmd.OutOrStdout(), "%s: MalformedPolicyDocument: %v\n", f, err)
					}
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", f)
			}
			if bad > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	validate.Flags().StringVar(&kind, "kind", "identity", "kind of document: identity (inline), managed, resource, trust, boundary, session, scp, rcp")
	var batch bool
	sim := &cobra.Command{
		Use:   "simulate [FILE]",
		Short: "Evaluate one JSON request (or JSON lines with --batch) and print the decision as JSON",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in io.Reader = cmd.InOrStdin()
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			return simulate.Run(in, cmd.OutOrStdout(), batch)
		},
	}
	sim.Flags().BoolVar(&batch, "batch", false, "read one request per line and write one result per line")
	cmd.AddCommand(validate, sim)
	return cmd
}
