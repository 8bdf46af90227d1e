package principals

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

const acct = "123456789012"

func trust(principals ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` +
		strings.Join(principals, `","`) + `"]},"Action":"sts:AssumeRole"}]}`
}

func TestBindAndRender(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	write := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := st.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	carol := iam.User{Account: acct, UserID: iam.NewID(iam.PrefixUser), UserName: "carol", Path: "/", Arn: iam.UserARN(acct, "/", "carol"), CreateDate: now}
	ops := iam.Role{Account: acct, RoleID: iam.NewID(iam.PrefixRole), RoleName: "ops", Path: "/team/", Arn: iam.RoleARN(acct, "/team/", "ops"),
		CreateDate: now, AssumeRolePolicyDocument: trust("arn:aws:iam::" + acct + ":root"), MaxSessionDuration: 3600}
	write(func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, iam.Account{ID: acct, CreateDate: now}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, carol); err != nil {
			return err
		}
		return tx.CreateRole(ctx, ops)
	})

	// An account iamd does not host is left unbound; the root and account ids bind nothing.
	doc := trust(carol.Arn, ops.Arn, "arn:aws:iam::210987654321:user/elsewhere", "arn:aws:iam::"+acct+":root", acct)
	var bound []iam.PrincipalID
	st.Read(ctx, func(tx store.Tx) error {
		bound, err = Bind(ctx, tx, doc)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []iam.PrincipalID{{ARN: carol.Arn, ID: carol.UserID}, {ARN: ops.Arn, ID: ops.RoleID}}
	if len(bound) != 2 || bound[0] != want[0] || bound[1] != want[1] {
		t.Fatalf("Bind = %+v, want %+v", bound, want)
	}

	// A user or role of a hosted account that does not exist, or under another path, is refused
	// as IAM refuses it.
	for _, p := range []string{"arn:aws:iam::" + acct + ":user/nobody", "arn:aws:iam::" + acct + ":role/ops"} {
		err := st.Read(ctx, func(tx store.Tx) error { _, err := Bind(ctx, tx, trust(p)); return err })
		e, ok := awserr.As(err)
		if !ok || e.Code != "MalformedPolicyDocument" || e.Message != `Invalid principal in policy: "AWS":"`+p+`"` {
			t.Errorf("Bind(%s) = %v", p, err)
		}
	}

	render := func() string {
		t.Helper()
		var out string
		if err := st.Read(ctx, func(tx store.Tx) error {
			var err error
			out, err = Render(ctx, tx, doc, bound)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := render(); got != doc {
		t.Errorf("unchanged principals rendered as\n%s\nwant\n%s", got, doc)
	}
	// Renamed: the current ARN. Deleted: the unique id, even once a namesake exists.
	write(func(tx store.Tx) error {
		u := carol
		u.UserName, u.Arn = "caroline", iam.UserARN(acct, "/", "caroline")
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteRole(ctx, acct, "ops"); err != nil {
			return err
		}
		again := ops
		again.RoleID = iam.NewID(iam.PrefixRole)
		return tx.CreateRole(ctx, again)
	})
	wantDoc := trust(iam.UserARN(acct, "/", "caroline"), ops.RoleID, "arn:aws:iam::210987654321:user/elsewhere", "arn:aws:iam::"+acct+":root", acct)
	if got := render(); got != wantDoc {
		t.Errorf("rendered\n%s\nwant\n%s", got, wantDoc)
	}
}
