package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// eventColumns are the columns an EventFilter's attribute compares.
var eventColumns = map[store.EventAttribute]string{
	store.EventByID:           "id",
	store.EventByName:         "name",
	store.EventByReadOnly:     "read_only",
	store.EventByUsername:     "username",
	store.EventByResourceType: "resource_type",
	store.EventByResourceName: "resource_name",
	store.EventBySource:       "source",
	store.EventByAccessKeyID:  "access_key",
}

// eventsPerInsert is how many events one INSERT writes: the statement is prepared once per
// batch, and each execution stores this many rows (audit events come in batches of hundreds).
const eventsPerInsert = 32

const eventRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertEvents is the INSERT of n events.
func insertEvents(n int) string {
	return `INSERT INTO events (id, account, time, name, source, username, access_key, read_only, resource_type, resource_name, data) VALUES ` +
		strings.TrimSuffix(strings.Repeat(eventRow+", ", n), ", ") + ` ON CONFLICT (id) DO NOTHING`
}

// AppendEvents implements store.Store: one write transaction that leaves the generation.
func (s *Store) AppendEvents(ctx context.Context, events []store.Event) error {
	if len(events) == 0 {
		return nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.writeErr(s.withWriteTx(ctx, func(sqlTx *sql.Tx) error {
		var full *sql.Stmt // prepared once, for every whole chunk
		defer func() {
			if full != nil {
				full.Close()
			}
		}()
		args := make([]any, 0, eventsPerInsert*11)
		for rest := events; len(rest) > 0; {
			n := min(len(rest), eventsPerInsert)
			args = args[:0]
			for _, e := range rest[:n] {
				ro := 0
				if e.ReadOnly {
					ro = 1
				}
				args = append(args, e.ID, e.Account, micros(e.Time), e.Name, e.Source, e.Username, e.AccessKeyID, ro, e.ResourceType, e.ResourceName, string(e.Data))
			}
			var err error
			if n == eventsPerInsert {
				if full == nil {
					if full, err = sqlTx.PrepareContext(ctx, s.d.rebind(insertEvents(n))); err != nil {
						return s.d.classify(err)
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = sqlTx.ExecContext(ctx, s.d.rebind(insertEvents(n)), args...)
			}
			if err != nil {
				return s.d.classify(err)
			}
			rest = rest[n:]
		}
		return nil
	}), false)
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, account string, f store.EventFilter) (store.Page[store.Event], error) {
	var page store.Page[store.Event]
	q := strings.Builder{}
	q.WriteString(`SELECT id, time, name, source, username, access_key, read_only, resource_type, resource_name, data FROM events WHERE account = ?`)
	args := []any{account}
	if !f.Start.IsZero() {
		q.WriteString(` AND time >= ?`)
		args = append(args, micros(f.Start))
	}
	if !f.End.IsZero() {
		q.WriteString(` AND time <= ?`)
		args = append(args, micros(f.End))
	}
	if f.Attribute != "" {
		col, ok := eventColumns[f.Attribute]
		if !ok {
			return page, fmt.Errorf("sqlstore: no event attribute %q", f.Attribute)
		}
		q.WriteString(` AND ` + col + ` = ?`)
		var v any = f.Value
		if f.Attribute == store.EventByReadOnly {
			v = 0
			if strings.EqualFold(f.Value, "true") {
				v = 1
			}
		}
		args = append(args, v)
	}
	if f.Marker != "" {
		tm, id, ok := decodeEventMarker(f.Marker)
		if !ok {
			return page, store.ErrInvalidMarker
		}
		q.WriteString(` AND (time < ? OR (time = ? AND id < ?))`)
		args = append(args, tm, tm, id)
	}
	n := f.MaxItems
	if n <= 0 {
		n = store.DefaultMaxItems
	}
	q.WriteString(` ORDER BY time DESC, id DESC LIMIT ?`)
	args = append(args, n+1)
	err := s.Read(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		rows, err := t.query(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.Event
			var tm int64
			var ro int
			var data string
			if err := rows.Scan(&e.ID, &tm, &e.Name, &e.Source, &e.Username, &e.AccessKeyID, &ro, &e.ResourceType, &e.ResourceName, &data); err != nil {
				return err
			}
			e.Account, e.Time, e.ReadOnly, e.Data = account, fromMicros(tm), ro == 1, []byte(data)
			page.Items = append(page.Items, e)
		}
		return rows.Err()
	})
	if err != nil {
		return store.Page[store.Event]{}, err
	}
	if len(page.Items) > n {
		page.Items = page.Items[:n]
		last := page.Items[n-1]
		page.IsTruncated, page.Marker = true, encodeEventMarker(micros(last.Time), last.ID)
	}
	return page, nil
}

// DeleteEventsBefore implements store.Store: a write that leaves the generation. It deletes
// account by account, through the (account, time) index.
func (s *Store) DeleteEventsBefore(ctx context.Context, before time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.writeErr(s.withWriteTx(ctx, func(sqlTx *sql.Tx) error {
		t := &tx{d: s.d, sql: sqlTx, writable: true}
		accounts, err := t.Accounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			if _, err := t.exec(ctx, `DELETE FROM events WHERE account = ? AND time < ?`, a.ID, micros(before)); err != nil {
				return err
			}
		}
		return nil
	}), false)
}

func encodeEventMarker(tm int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(tm, 10) + "\x00" + id))
}

func decodeEventMarker(m string) (int64, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, "", false
	}
	ts, id, ok := strings.Cut(string(b), "\x00")
	tm, err := strconv.ParseInt(ts, 10, 64)
	return tm, id, ok && err == nil && id != ""
}
