package iam

import (
	"slices"
	"testing"
)

func TestServiceAccess(t *testing.T) {
	cases := []struct {
		name    string
		doc     string
		grants  []string
		denies  []string
		named   []string
		wantErr bool
	}{
		{name: "single action", doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}`,
			grants: []string{"iam", "IAM"}, denies: []string{"s3", "sts"}, named: []string{"iam"}},
		{name: "list and case", doc: `{"Statement":[{"Effect":"Allow","Action":["S3:Get*","sts:AssumeRole"],"Resource":"*"}]}`,
			grants: []string{"s3", "sts"}, denies: []string{"iam"}, named: []string{"s3", "sts"}},
		{name: "star", doc: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			grants: []string{"iam", "ec2"}},
		{name: "service wildcard", doc: `{"Statement":[{"Effect":"Allow","Action":"s?s:*","Resource":"*"}]}`,
			grants: []string{"sts", "sns"}, denies: []string{"s3", "iam"}},
		{name: "deny grants nothing", doc: `{"Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`,
			denies: []string{"iam"}},
		{name: "not action excludes whole service", doc: `{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`,
			grants: []string{"s3", "sts"}, denies: []string{"iam", "organizations"}},
		{name: "not action of one operation", doc: `{"Statement":[{"Effect":"Allow","NotAction":"iam:DeleteUser","Resource":"*"}]}`,
			grants: []string{"iam", "s3"}},
		{name: "not action star", doc: `{"Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}`,
			denies: []string{"iam"}},
		{name: "not JSON", doc: `{`, wantErr: true},
		{name: "no statement", doc: `{"Version":"2012-10-17"}`, wantErr: true},
		{name: "action of wrong type", doc: `{"Statement":[{"Effect":"Allow","Action":7}]}`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseServiceAccess(tc.doc)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			for _, ns := range tc.grants {
				if !a.Grants(ns) {
					t.Errorf("Grants(%s) = false", ns)
				}
			}
			for _, ns := range tc.denies {
				if a.Grants(ns) {
					t.Errorf("Grants(%s) = true", ns)
				}
			}
			if got := a.NamedNamespaces(); !slices.Equal(got, tc.named) {
				t.Errorf("NamedNamespaces = %v, want %v", got, tc.named)
			}
		})
	}
}

func FuzzParseServiceAccess(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Action":["s3:*","iam:Get*"],"NotAction":"x:*"}]}`, "s3")
	f.Add(`{"Statement":{"Effect":"Allow","NotAction":"*"}}`, "iam")
	f.Add(`{"Statement":[]}`, "")
	f.Fuzz(func(t *testing.T, doc, ns string) {
		a, err := ParseServiceAccess(doc)
		if err != nil {
			return
		}
		a.Grants(ns)
		a.Namespaces([]string{ns, "iam"})
		a.NamedNamespaces()
	})
}
