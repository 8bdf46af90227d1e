package authz

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
)

// TestTableCoversModel checks that the declarations have one row per operation of the generated
// IAM and STS models, and no row for an operation the models do not have.
func TestTableCoversModel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		table map[string]Decl
		ops   []string
	}{
		{"iam", iamTable, keysOf(iamapi.Operations)},
		{"sts", stsTable, keysOf(stsapi.Operations)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range tc.ops {
				if _, ok := tc.table[op]; !ok {
					t.Errorf("operation %s has no row", op)
				}
			}
			for op := range tc.table {
				if !slices.Contains(tc.ops, op) {
					t.Errorf("row %s names no operation of the model", op)
				}
			}
		})
	}
	if n := len(iamTable) + len(stsTable); n != 187 {
		t.Errorf("table has %d rows, want 187 (176 IAM + 11 STS)", n)
	}
}

// TestDeclsTakeTheirInput checks that each row reads its own operation's input type: a row
// declared over another operation's input would refuse every call of its own.
func TestDeclsTakeTheirInput(t *testing.T) {
	check := func(service, name string, d Decl, in any) {
		if d.resolve == nil {
			return
		}
		r := &Resolver{req: &Request{}, account: "123456789012"}
		defer func() {
			// A row may reach for the store or the principal, which this test does not give:
			// only the type check is under test, and it comes first.
			_ = recover()
		}()
		if !d.resolve(r, in) {
			t.Errorf("%s %s is declared over another input than %T", service, name, in)
		}
	}
	for name, op := range iamapi.Operations {
		check("iam", name, iamTable[name], op.NewInput())
	}
	for name, op := range stsapi.Operations {
		check("sts", name, stsTable[name], op.NewInput())
	}
}

// TestUnsignedAsModel holds the declarations' Auth to the AWS models: exactly the
// operations the models let callers make without a signature may be called so.
func TestUnsignedAsModel(t *testing.T) {
	for _, tc := range []struct {
		model string
		table map[string]Decl
	}{{"../api/models/iam.json", iamTable}, {"../api/models/sts.json", stsTable}} {
		raw, err := os.ReadFile(tc.model)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Operations map[string]struct {
				AuthType string   `json:"authtype"`
				Auth     []string `json:"auth"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for name, op := range m.Operations {
			unsigned := op.AuthType == "none" || slices.Contains(op.Auth, "smithy.api#noAuth")
			if d := tc.table[name]; (d.Auth == Unsigned) != unsigned {
				t.Errorf("%s: declared Auth %v, the model says unsigned %v", name, d.Auth, unsigned)
			}
			if unsigned && tc.table[name].Mode != ByService {
				t.Errorf("%s is unsigned: only its service can authorize it", name)
			}
		}
	}
}

// AssumeRoot's task policy is a structure, not a string: its ARN reaches sts:TaskPolicyArn
// (the field-by-name reading the declarations replace read "" for it).
func TestAssumeRootTaskPolicyKey(t *testing.T) {
	r := &Resolver{req: &Request{Resource: "*"}, account: "123456789012", ctx: context.Background()}
	in := &stsapi.AssumeRootInput{TargetPrincipal: "210987654321", TaskPolicyArn: &stsapi.PolicyDescriptorType{Arn: "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"}}
	if !stsTable["AssumeRoot"].resolve(r, in) {
		t.Fatal("AssumeRoot refused its input")
	}
	if r.req.Resource != "arn:aws:iam::210987654321:root" {
		t.Errorf("resource = %s", r.req.Resource)
	}
	if len(r.req.Keys) != 1 || r.req.Keys[0].Name != "sts:TaskPolicyArn" || r.req.Keys[0].Values[0] != in.TaskPolicyArn.Arn {
		t.Errorf("keys = %+v", r.req.Keys)
	}
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
