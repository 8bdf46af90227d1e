package main

import (
	"fmt"
	"log/slog"
	"os"

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
			n, err := node.Open(cmd.Context(), node.Config{
				DataDir: data, Store: storeKind, PostgresDSN: pgDSN,
				MasterKey: os.Getenv("IAMD_MASTER_KEY"),
				Logger:    slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)),
			})
			if err != nil {
				return err
			}
			defer n.Close()
			acct, keyID, secret, err := n.CreateAccount(cmd.Context(), id, "", "")
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Created account %s.\nRoot user access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
				acct, keyID, secret)
			return nil
		},
	}
	create.Flags().StringVar(&data, "data", "./iamd-data", "data directory")
	create.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite or postgres")
	create.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string, for --store postgres")
	create.Flags().StringVar(&id, "id", "", "the new account's id (12 digits); generated when empty")
	cmd.AddCommand(create)
	return cmd
}
