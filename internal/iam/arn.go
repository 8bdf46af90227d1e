package iam

import (
	"strings"

	"github.com/iamd/iamd/arn"
)

// ARNs of IAM and STS entities. Paths are stored with their leading and trailing slash, so an
// ARN is the resource type, the path and the name run together ("user" + "/dev/" + "bob").

func iamARN(account, resource string) string {
	return "arn:" + Partition + ":iam::" + account + ":" + resource
}

// RootARN is the account's root user.
func RootARN(account string) string { return iamARN(account, "root") }

// UserARN is arn:aws:iam::ACCOUNT:user/PATH/NAME.
func UserARN(account, path, name string) string { return iamARN(account, "user"+path+name) }

// GroupARN is arn:aws:iam::ACCOUNT:group/PATH/NAME.
func GroupARN(account, path, name string) string { return iamARN(account, "group"+path+name) }

// RoleARN is arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleARN(account, path, name string) string { return iamARN(account, "role"+path+name) }

// PolicyARN is arn:aws:iam::ACCOUNT:policy/PATH/NAME; account "aws" gives an AWS managed policy.
func PolicyARN(account, path, name string) string { return iamARN(account, "policy"+path+name) }

// InstanceProfileARN is arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME.
func InstanceProfileARN(account, path, name string) string {
	return iamARN(account, "instance-profile"+path+name)
}

// AssumedRoleARN is the ARN of a role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
// AWS leaves the role's path out of it.
func AssumedRoleARN(account, roleName, sessionName string) string {
	return "arn:" + Partition + ":sts::" + account + ":assumed-role/" + roleName + "/" + sessionName
}

// FederatedUserARN is arn:aws:sts::ACCOUNT:federated-user/NAME.
func FederatedUserARN(account, name string) string {
	return "arn:" + Partition + ":sts::" + account + ":federated-user/" + name
}

// MFAARN is the serial number of a virtual MFA device: arn:aws:iam::ACCOUNT:mfa/PATH/NAME.
func MFAARN(account, path, name string) string { return iamARN(account, "mfa"+path+name) }

// EntityARN is the ARN of an IAM entity with a path, split: arn:aws:iam::ACCOUNT:TYPE/PATH/NAME.
type EntityARN struct {
	Account string
	Type    string // "user", "role", "group", "policy", "instance-profile", …
	Path    string // with its leading and trailing slash
	Name    string
}

// ParseEntityARN splits an IAM entity's ARN; ok is false for anything else (another partition
// or service, a region, an account that is not 12 digits, no name).
func ParseEntityARN(s string) (e EntityARN, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != Partition || a.Service != "iam" || a.Region != "" || !IsAccountID(a.Account) {
		return e, false
	}
	typ, _, ok := strings.Cut(a.Resource, "/")
	if !ok {
		return e, false
	}
	// The path, slashes included, runs from the slash after the type to the last one.
	i := strings.LastIndexByte(a.Resource, '/')
	e = EntityARN{Account: a.Account, Type: typ, Path: a.Resource[len(typ) : i+1], Name: a.Resource[i+1:]}
	return e, typ != "" && e.Name != ""
}
