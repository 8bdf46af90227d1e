package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

// postgresBackupAdvice is all `iamd backup` does for PostgreSQL: a copy of part of the state by
// iamd would be worse than the database's own tools, which copy all of it consistently.
const postgresBackupAdvice = `iamd backup copies the SQLite database only. With --store postgres, back up the
database with PostgreSQL's tools, while the nodes run:
  pg_dump --format=custom --file=iamd.dump "$IAMD_POSTGRES_DSN"
and restore it into a new, empty database with:
  pg_restore --no-owner --dbname="postgres://…/newdb" iamd.dump
The dump holds secrets sealed under the master key, which is NOT in the database: keep the
IAMD_MASTER_KEY value the nodes run with, apart from the dump. Every node started on the restored
database needs that same IAMD_MASTER_KEY.
`

func newBackup() *cobra.Command {
	var data, out, storeKind, pgDSN string
	var force, withKey bool
	cmd := &cobra.Command{
		Use:   "backup --data DIR --out FILE",
		Short: "Copy the SQLite database consistently, while the server runs",
		Long: `Write a consistent copy of DIR/iamd.db to FILE (mode 0600, written under a temporary
name and moved into place), while 'iamd serve' goes on serving. FILE must not exist unless --force.

The copy holds secrets (access key secrets, the keyring session tokens are sealed with) sealed
under the master key, which is not in the copy: it is DIR/master.key or IAMD_MASTER_KEY. A
restore needs both. --with-master-key also copies DIR/master.key to FILE.master.key.

With --store postgres this prints how to use pg_dump instead, and fails.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			switch storeKind {
			case "", node.StoreSQLite:
			case node.StorePostgres:
				fmt.Fprint(stderr, postgresBackupAdvice)
				return exitCode(2)
			default:
				return fmt.Errorf("unknown store %q (want %s or %s)", storeKind, node.StoreSQLite, node.StorePostgres)
			}
			if out == "" {
				return errors.New("--out FILE is required")
			}
			dbPath := filepath.Join(data, "iamd.db")
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("no database to back up at %s: %w", dbPath, err)
			}
			keyPath := filepath.Join(data, "master.key")
			keyOut := out + ".master.key"
			_, keyFileErr := os.Stat(keyPath)
			envKey := os.Getenv("IAMD_MASTER_KEY") != ""
			// Checked before the copy is made, so that a refusal leaves nothing half done.
			if withKey {
				if keyFileErr != nil {
					return fmt.Errorf("--with-master-key: there is no key file %s to copy (%v); if the server runs with IAMD_MASTER_KEY, keep that value apart from the backup yourself", keyPath, keyFileErr)
				}
				if _, err := seal.LoadMasterKey(keyPath); err != nil {
					return fmt.Errorf("--with-master-key: %w", err)
				}
				if !force {
					if _, err := os.Lstat(keyOut); err == nil {
						return fmt.Errorf("%s exists (pass --force to replace it)", keyOut)
					}
				}
			}
			if err := sqlstore.BackupSQLite(cmd.Context(), dbPath, out, force); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Backed up %s to %s (mode 0600).\n", dbPath, out)
			fmt.Fprintln(stdout, "The backup holds secrets sealed under the master key; it opens only with that key, and the key is NOT in the backup.")
			switch {
			case envKey:
				fmt.Fprintln(stdout, "The master key is the value of IAMD_MASTER_KEY (set in this environment); keep it, apart from the backup.")
			case keyFileErr == nil:
				fmt.Fprintf(stdout, "The master key is %s; keep a copy of it, apart from the backup.\n", keyPath)
			default:
				fmt.Fprintf(stdout, "There is no %s and IAMD_MASTER_KEY is not set here: the key is the IAMD_MASTER_KEY the server runs with; keep it, apart from the backup.\n", keyPath)
			}
			if withKey {
				b, err := os.ReadFile(keyPath)
				if err != nil {
					return err
				}
				if err := writePrivate(keyOut, b, force); err != nil {
					return fmt.Errorf("--with-master-key: %w", err)
				}
				fmt.Fprintf(stdout, "Copied the master key to %s (mode 0600).\n", keyOut)
				fmt.Fprintf(stderr, "WARNING: %s and %s together open every secret iamd holds. Store them apart (another medium, another place, other people), or anyone who gets the backup gets everything.\n", out, keyOut)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./iamd-data", "data directory of the server to back up")
	cmd.Flags().StringVar(&out, "out", "", "the backup file to write")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing backup file")
	cmd.Flags().BoolVar(&withKey, "with-master-key", false, "also copy DIR/master.key to FILE.master.key (keep the two apart)")
	cmd.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite, or postgres (prints the pg_dump advice and fails)")
	cmd.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string (unused: see --store postgres)")
	return cmd
}

func newRestore() *cobra.Command {
	var data, keyFile string
	cmd := &cobra.Command{
		Use:   "restore --data NEWDIR [--master-key-file KEY] FILE",
		Short: "Make a new data directory from a backup",
		Long: `Check that FILE is an intact iamd database (SQLite's integrity_check, iamd's schema) and
place it as NEWDIR/iamd.db. NEWDIR must be absent or empty: restore never replaces data.

The database opens only with the master key of the installation it came from: --master-key-file
copies that key to NEWDIR/master.key (mode 0600); otherwise set IAMD_MASTER_KEY to it when
running 'iamd serve --data NEWDIR', which refuses to start without the key.`,
		Args: cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			stdout := cmd.OutOrStdout()
			backup := args[0]
			if data == "" {
				return errors.New("--data NEWDIR is required")
			}
			var key []byte
			if keyFile != "" {
				// LoadMasterKey refuses a key others may read and one that is not a key.
				if _, err := seal.LoadMasterKey(keyFile); err != nil {
					return fmt.Errorf("--master-key-file: %w", err)
				}
				if key, err = os.ReadFile(keyFile); err != nil {
					return fmt.Errorf("--master-key-file: %w", err)
				}
			}
			if _, err := os.Stat(backup); err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			made, err := emptyDir(data)
			if err != nil {
				return err
			}
			dbPath := filepath.Join(data, "iamd.db")
			keyPath := filepath.Join(data, "master.key")
			tmp := filepath.Join(data, "iamd.db.restore")
			defer func() {
				for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
					os.Remove(p)
				}
				if err != nil {
					// What this restore placed; the directory was empty or absent before it.
					os.Remove(keyPath)
					os.Remove(dbPath)
					if made {
						os.Remove(data)
					}
				}
			}()
			// The check runs on the copy that will be placed, so what was checked is what is used.
			if err := copyPrivate(backup, tmp); err != nil {
				return err
			}
			if err := sqlstore.VerifyDatabase(cmd.Context(), tmp); err != nil {
				return fmt.Errorf("refusing to restore %s: %w", backup, err)
			}
			if key != nil {
				if err := writePrivate(keyPath, key, false); err != nil {
					return fmt.Errorf("master key: %w", err)
				}
			}
			if err := os.Rename(tmp, dbPath); err != nil {
				return err
			}
			if err := syncDir(data); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Restored %s to %s (integrity checked).\n", backup, dbPath)
			if key != nil {
				fmt.Fprintf(stdout, "Copied the master key %s to %s (mode 0600).\nStart it with: iamd serve --data %s\n", keyFile, keyPath, data)
				return nil
			}
			fmt.Fprintf(stdout, "No master key was given. The database's secrets open only with the master key of the installation it came from:\n"+
				"copy that key to %s (mode 0600), or set IAMD_MASTER_KEY to it, before 'iamd serve --data %s'; without it iamd serve refuses to start.\n", keyPath, data)
			if os.Getenv("IAMD_MASTER_KEY") != "" {
				fmt.Fprintln(stdout, "(IAMD_MASTER_KEY is set in this environment: serve with it if it is that key.)")
			}
			if _, err := os.Stat(backup + ".master.key"); err == nil {
				fmt.Fprintf(stdout, "(%s is beside the backup: --master-key-file %s would have copied it.)\n", backup+".master.key", backup+".master.key")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "the new data directory (absent or empty)")
	cmd.Flags().StringVar(&keyFile, "master-key-file", "", "the master key file of the installation the backup came from, copied to NEWDIR/master.key")
	return cmd
}

// emptyDir makes dir (0700) if it is absent, and refuses one that holds anything: a restore must
// never mix with or replace data. made reports whether it made dir.
func emptyDir(dir string) (made bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("data directory: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("data directory: %w", err)
	case len(entries) > 0:
		return false, fmt.Errorf("data directory %s is not empty (it holds %s): restore only into a new or empty directory", dir, entries[0].Name())
	}
	return false, nil
}

// writePrivate writes b to path, mode 0600, under a temporary name moved into place; without
// force it refuses an existing path (even one that appears meanwhile).
func writePrivate(path string, b []byte, force bool) error {
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		return err
	}
	tmp := path + ".tmp-" + hex.EncodeToString(r[:])
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	_, err = f.Write(b)
	// The mode asked of OpenFile is masked by the umask; 0600 is what the file must have.
	if err = errors.Join(err, f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		return err
	}
	if force {
		err = os.Rename(tmp, path)
	} else {
		err = os.Link(tmp, path)
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// copyPrivate copies src to a new file dst, mode 0600, synced.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, in)
	return errors.Join(err, f.Chmod(0o600), f.Sync(), f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
