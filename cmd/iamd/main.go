// Command iamd serves AWS IAM and STS, and checks and simulates IAM policies offline.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		if code, ok := err.(exitCode); ok {
			os.Exit(int(code))
		}
		fmt.Fprintln(os.Stderr, "iamd:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message (the command printed its own).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "iamd",
		Short:         "AWS IAM and STS, self-hosted",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newAccount(), newPolicy(), newBench(), newIdP(), newAgentCmd(), newInstanceCmd(), newCredentials(), &cobra.Command{
		Use:   "version",
		Short: "Print the version, the VCS revision and the Go version of this build",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			b := readBuildInfo()
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "iamd", b.Version)
			if b.Revision != "" {
				fmt.Fprintf(out, "revision %s (modified: %t)\n", b.Revision, b.Modified)
			}
			fmt.Fprintln(out, "go", b.GoVersion)
		},
	})
	root.AddCommand(newBackup(), newRestore())
	return root
}

// envDefault makes every flag of cmd settable as IAMD_<FLAG> (dashes become underscores); a flag
// given on the command line wins.
func envDefault(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflagFlag) {
		if f.Changed || err != nil {
			return
		}
		name := "IAMD_" + envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}
