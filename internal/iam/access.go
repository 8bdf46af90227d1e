package iam

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/iamd/iamd/arn"
)

// ServiceAccess is what the Allow statements of a policy document grant, seen per service
// namespace ("iam", "s3"): the question ListPoliciesGrantingServiceAccess and the access
// advisor ask. Conditions and resources are not weighed (a statement that can allow any action
// of a service grants access to it), and Deny statements grant nothing.
type ServiceAccess struct {
	// services are the lower-cased service parts of Action entries ("*" for "*").
	services []string
	// notActions holds, per NotAction statement, the service parts of the entries that exclude
	// a whole service ("s3:*", "*").
	notActions [][]string
}

// ErrNotPolicy is returned for a document that is not a JSON policy with statements.
var ErrNotPolicy = errors.New("iam: not a policy document")

// ParseServiceAccess reads a stored policy document. Stored documents were validated when they
// were written, so it is lenient: members it does not need are ignored.
func ParseServiceAccess(doc string) (ServiceAccess, error) {
	var d struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Statement) == 0 {
		return ServiceAccess{}, ErrNotPolicy
	}
	type stmt struct {
		Effect    string
		Action    json.RawMessage
		NotAction json.RawMessage
	}
	var stmts []stmt
	if d.Statement[0] == '{' {
		var s stmt
		if err := json.Unmarshal(d.Statement, &s); err != nil {
			return ServiceAccess{}, ErrNotPolicy
		}
		stmts = []stmt{s}
	} else if err := json.Unmarshal(d.Statement, &stmts); err != nil {
		return ServiceAccess{}, ErrNotPolicy
	}
	var a ServiceAccess
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		if len(s.NotAction) > 0 {
			actions, err := stringOrList(s.NotAction)
			if err != nil {
				return ServiceAccess{}, err
			}
			var whole []string
			for _, act := range actions {
				if svc, op := splitAction(act); op == "*" {
					whole = append(whole, svc)
				}
			}
			a.notActions = append(a.notActions, whole)
			continue
		}
		actions, err := stringOrList(s.Action)
		if err != nil {
			return ServiceAccess{}, err
		}
		for _, act := range actions {
			svc, _ := splitAction(act)
			a.services = append(a.services, svc)
		}
	}
	return a, nil
}

// stringOrList decodes a policy element that is a string or a list of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, ErrNotPolicy
	}
	return many, nil
}

// splitAction returns an action's lower-cased service and operation parts; "*" is all of both.
func splitAction(action string) (service, op string) {
	action = strings.ToLower(action)
	if action == "*" {
		return "*", "*"
	}
	service, op, _ = strings.Cut(action, ":")
	return service, op
}

// Grants reports whether the document allows some action of the service namespace.
func (a ServiceAccess) Grants(namespace string) bool {
	ns := strings.ToLower(namespace)
	for _, p := range a.services {
		if arn.Match(p, ns) {
			return true
		}
	}
	for _, whole := range a.notActions {
		excluded := false
		for _, p := range whole {
			if arn.Match(p, ns) {
				excluded = true
				break
			}
		}
		if !excluded {
			return true
		}
	}
	return false
}

// Namespaces lists the namespaces among known that the document grants, in the order of known.
func (a ServiceAccess) Namespaces(known []string) []string {
	var out []string
	for _, ns := range known {
		if a.Grants(ns) {
			out = append(out, ns)
		}
	}
	return out
}

// NamedNamespaces lists the literal service namespaces the document's Action entries name (no
// wildcard in the service part), lower-cased, each once.
func (a ServiceAccess) NamedNamespaces() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range a.services {
		if s == "" || strings.ContainsAny(s, "*?") || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
