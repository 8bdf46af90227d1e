package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/node"
)

func newAccount() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Manage the accounts this iamd hosts",
	}
	var data, storeKind, pgDSN, id string
	create := &cobra.Command{
		Use:   "create",
		Short: "Add an account and print its root user's access key (once)",
		Long: `Add an account to the installation (the same data directory or database that
'iamd serve' uses; it may be running). Accounts are separate as AWS accounts are: access across
them needs both sides' policies. The new root user's access key is printed once.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := openData(cmd, data, storeKind, pgDSN)
			if err != nil {
				return err
			}
			defer n.Close()
			if n.Bootstrapped {
				// This was the installation's first start: its first account's key is shown
				// here, or no one would ever see it.
				printRootKey(cmd, n.Account, n.RootAccessKeyID, n.RootSecretAccessKey)
				if err := n.RootKeyShown(); err != nil {
					return err
				}
			}
			acct, keyID, secret, err := n.CreateAccount(cmd.Context(), id, "", "")
			if err != nil {
				return err
			}
			printRootKey(cmd, acct, keyID, secret)
			return nil
		},
	}
	create.Flags().StringVar(&data, "data", "./iamd-data", "data directory")
	create.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite or postgres")
	create.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string, for --store postgres")
	create.Flags().StringVar(&id, "id", "", "the new account's id (12 digits); generated when empty")
	cmd.AddCommand(create, newResetRootKey(), newSetRootPassword())
	return cmd
}

// printRootKey shows a new account's root key, the only time anyone sees its secret.
func printRootKey(cmd *cobra.Command, acct, keyID, secret string) {
	fmt.Fprintf(cmd.OutOrStdout(), "Created account %s.\nRoot user access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
		acct, keyID, secret)
}

func newResetRootKey() *cobra.Command {
	var data, storeKind, pgDSN, id string
	cmd := &cobra.Command{
		Use:   "reset-root-key",
		Short: "Replace an account's root user access keys with a new one and print it (once)",
		Long: `Delete every access key of an account's root user and create one new key, in one
transaction, and print it once. It is the recovery for a root key that is lost, or that a first
start created and never printed. Requests signed with the old keys fail from then on.

It needs what the server needs to read the data: the data directory (--data) and its master key
(DATA/master.key, or IAMD_MASTER_KEY), and for PostgreSQL the DSN. It works while the server is
stopped, and also while it runs (every node sees the change within about 100 ms). Without --id it
resets the installation's first account, the one the first start created.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(data); storeKind != node.StorePostgres && err != nil {
				// Opening would make a new installation; there is nothing to reset.
				return fmt.Errorf("data directory: %w", err)
			}
			n, err := openData(cmd, data, storeKind, pgDSN)
			if err != nil {
				return err
			}
			defer n.Close()
			acct, keyID, secret, err := n.ResetRootKey(cmd.Context(), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Replaced the root user's access keys of account %s.\nNew root user access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
				acct, keyID, secret)
			if acct == n.Account {
				return n.RootKeyShown()
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./iamd-data", "data directory")
	cmd.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite or postgres")
	cmd.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string, for --store postgres")
	cmd.Flags().StringVar(&id, "id", "", "the account (12 digits); default the installation's first")
	return cmd
}

// openData opens the installation an account command works on: its data, without the audit
// trail (an administrator's offline command is not an API call) and without S3, whose local
// backend belongs to the server that may be running on the same data directory.
func openData(cmd *cobra.Command, data, storeKind, pgDSN string) (*node.Node, error) {
	return node.Open(cmd.Context(), node.Config{
		DataDir: data, Store: storeKind, PostgresDSN: pgDSN,
		MasterKey: os.Getenv("IAMD_MASTER_KEY"),
		Logger:    slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)),
		NoAudit:   true,
		S3Backend: node.S3Off,
	})
}

func newSetRootPassword() *cobra.Command {
	var data, storeKind, pgDSN, id string
	cmd := &cobra.Command{
		Use:   "set-root-password",
		Short: "Set the console password of an account's root user (read from the terminal or stdin)",
		Long: `Give an account's root user a console password, replacing any, for signing in at /console
as the root user. The password is read from the terminal (twice, not echoed) or, when stdin is not
a terminal, from its first line; never from the command line, where other users and the shell's
history would see it. It must have 8 to 128 characters of at least three of: upper case, lower
case, numbers, symbols. IAMD_ROOT_PASSWORD sets it at the installation's first start instead.

It needs what the server needs to read the data (--data and its master key, or the PostgreSQL
DSN) and works while the server runs. Without --id it sets the installation's first account's.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, err := readPassword(cmd)
			if err != nil {
				return err
			}
			if _, err := os.Stat(data); storeKind != node.StorePostgres && err != nil {
				return fmt.Errorf("data directory: %w", err)
			}
			n, err := openData(cmd, data, storeKind, pgDSN)
			if err != nil {
				return err
			}
			defer n.Close()
			if err := n.SetRootPassword(cmd.Context(), id, pw); err != nil {
				return err
			}
			acct := id
			if acct == "" {
				acct = n.Account
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Set the root user's console password of account %s.\n", acct)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./iamd-data", "data directory")
	cmd.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite or postgres")
	cmd.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string, for --store postgres")
	cmd.Flags().StringVar(&id, "id", "", "the account (12 digits); default the installation's first")
	return cmd
}

// readPassword reads a new password: from the terminal without echo, asked twice, or from the
// first line of a non-terminal stdin.
func readPassword(cmd *cobra.Command) (string, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		errOut := cmd.ErrOrStderr()
		fmt.Fprint(errOut, "New root password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(errOut)
		if err != nil {
			return "", err
		}
		fmt.Fprint(errOut, "Repeat it: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(errOut)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin")
	}
	return line, nil
}
