package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL aborts a whole transaction at its first failing statement, where SQLite fails just
// the statement. The services rely on the latter: fn may meet ErrAlreadyExists or ErrConflict
// from one statement and carry on (or return a different error) in the same transaction. So on
// the writer pool every statement inside a transaction runs under a savepoint that a failure
// rolls back to, which gives PostgreSQL SQLite's per-statement behaviour. Reads cannot fail that
// way and are not wrapped.

// openStatementSavepoints opens a pool whose connections wrap each in-transaction Exec in a
// savepoint.
func openStatementSavepoints(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(savepointConnector{stdlib.GetConnector(*cfg)}), nil
}

type savepointConnector struct{ driver.Connector }

func (c savepointConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlstore: pgx stdlib returned an unexpected connection type")
	}
	return savepointConn{sc}, nil
}

// savepointConn is a pgx connection (its other driver methods promoted unchanged) whose
// ExecContext is statement-atomic inside a transaction.
type savepointConn struct{ *stdlib.Conn }

func (c savepointConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.Conn.Conn().PgConn().TxStatus() != 'T' {
		return c.Conn.ExecContext(ctx, query, args)
	}
	if _, err := c.Conn.ExecContext(ctx, "SAVEPOINT iamd_stmt", nil); err != nil {
		return nil, err
	}
	r, err := c.Conn.ExecContext(ctx, query, args)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			if _, rerr := c.Conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT iamd_stmt", nil); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
		}
		return nil, err
	}
	if _, err := c.Conn.ExecContext(ctx, "RELEASE SAVEPOINT iamd_stmt", nil); err != nil {
		return nil, err
	}
	return r, nil
}
