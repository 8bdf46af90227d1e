package iamsvc

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Service-linked roles. CreateServiceLinkedRole makes the role AWS would make for the service
// (name, path, trust policy, attached AWS managed policy); DeleteServiceLinkedRole deletes it at once but answers, as AWS
// does, with a deletion task whose outcome GetServiceLinkedRoleDeletionStatus reports. A task
// is a record named by its UUID, written in the transaction that deletes the role.

const deletionTaskPrefix = "task" + iam.ServiceLinkedPathPrefix // "task/aws-service-role/"

// deletionTask is the stored outcome of a DeleteServiceLinkedRole.
type deletionTask struct {
	ID       string
	RoleName string
	Status   string // SUCCEEDED or FAILED
	Reason   string `json:",omitempty"`
	// Usage lists the instance profiles that kept a FAILED deletion from happening.
	Usage []string  `json:",omitempty"`
	Date  time.Time `json:"Created"`
}

func unmodifiableRole(name string) error {
	return awserr.New(http.StatusBadRequest, "UnmodifiableEntity",
		"Cannot perform the operation on the protected role '"+name+"' - this role is only modifiable by AWS")
}

// CreateServiceLinkedRole creates the service-linked role of a service iamd knows, with the
// service's AWS managed policy attached.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *iamapi.CreateServiceLinkedRoleInput) (*iamapi.CreateServiceLinkedRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	service := strings.ToLower(in.AWSServiceName)
	slr, ok := iam.ServiceLinkedRoleFor(service)
	if !ok {
		return nil, awserr.InvalidInput("Unrecognized service name: " + in.AWSServiceName)
	}
	name := slr.RoleName
	if in.CustomSuffix != "" {
		if !slr.CustomSuffix {
			return nil, awserr.InvalidInput("Custom suffix is not allowed for " + service)
		}
		name += "_" + in.CustomSuffix
		if len(name) > iam.MaxRoleNameLen {
			return nil, awserr.InvalidInput("The custom suffix is too long: the role name " + name + " exceeds 64 characters.")
		}
	}
	account := c.Account()
	path := iam.ServiceLinkedPath(service)
	r := iam.Role{Account: account, RoleID: iam.NewID(iam.PrefixRole), RoleName: name, Path: path,
		Arn: iam.RoleARN(account, path, name), CreateDate: s.now(), AssumeRolePolicyDocument: iam.ServiceLinkedTrustPolicy(service),
		Description: in.Description, MaxSessionDuration: iam.DefaultMaxSessionDuration}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountRoles(ctx, account)
		if err != nil {
			return err
		}
		if n >= iam.MaxRolesPerAccount {
			return quota("RolesPerAccount", iam.MaxRolesPerAccount)
		}
		err = tx.CreateRole(ctx, r)
		if errors.Is(err, store.ErrAlreadyExists) {
			return awserr.InvalidInput("Service role name " + name + " has been taken in this account, please try a different suffix.")
		}
		if err != nil {
			return err
		}
		// The service's permissions: the AWS managed policy its documentation names, which the
		// store holds (the catalogue is seeded before the first operation).
		return tx.AttachPolicy(ctx, account, iam.KindRole, name, slr.PolicyARN)
	})
	if err != nil {
		return nil, err
	}
	out := roleOut(r, true)
	// As CreateRole's: the CLI reference's example, made with --description, shows neither the
	// description nor the session duration.
	out.MaxSessionDuration, out.Description, out.RoleLastUsed = nil, "", nil
	return &iamapi.CreateServiceLinkedRoleOutput{Role: &out}, nil
}

// DeleteServiceLinkedRole deletes a service-linked role with the policies the service gave it.
// A role still in use (iamd's only use of a role is an instance profile holding it) stays, and
// its task reports FAILED with the usage, as AWS reports resources of the service still using it.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *iamapi.DeleteServiceLinkedRoleInput) (*iamapi.DeleteServiceLinkedRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	var task deletionTask
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, account, in.RoleName)
		if err != nil {
			return err
		}
		if !iam.IsServiceLinked(r.Path) {
			return awserr.NoSuchEntity("The role with name " + r.RoleName + " is not a service-linked role.")
		}
		task = deletionTask{ID: deletionTaskPrefix + strings.Trim(strings.TrimPrefix(r.Path, iam.ServiceLinkedPathPrefix), "/") + "/" + r.RoleName + "/" + newJobID(),
			RoleName: r.RoleName, Status: "SUCCEEDED", Date: s.now()}
		profiles, err := tx.InstanceProfilesForRole(ctx, account, r.RoleName, store.ListOptions{MaxItems: 1000})
		if err != nil {
			return err
		}
		if len(profiles.Items) > 0 {
			task.Status, task.Reason = "FAILED", "The service-linked role is in use by instance profiles."
			for _, p := range profiles.Items {
				task.Usage = append(task.Usage, p.Arn)
			}
		} else if err := deleteRoleWithPolicies(ctx, tx, account, r.RoleName); err != nil {
			return err
		}
		return writeRecord(ctx, tx, true, account, kindDeletionTask, taskName(task.ID), "", task)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteServiceLinkedRoleOutput{DeletionTaskId: task.ID}, nil
}

// deleteRoleWithPolicies removes the role's inline and attached policies, then the role.
func deleteRoleWithPolicies(ctx context.Context, tx store.Tx, account, name string) error {
	inline, err := tx.InlinePolicies(ctx, account, iam.KindRole, name)
	if err != nil {
		return err
	}
	for _, p := range inline {
		if err := tx.DeleteInlinePolicy(ctx, account, iam.KindRole, name, p.PolicyName); err != nil {
			return err
		}
	}
	attached, err := tx.AttachedPolicies(ctx, account, iam.KindRole, name, store.ListOptions{MaxItems: 1000})
	if err != nil {
		return err
	}
	for _, a := range attached.Items {
		if err := tx.DetachPolicy(ctx, account, iam.KindRole, name, a.PolicyArn); err != nil {
			return err
		}
	}
	return notFound(tx.DeleteRole(ctx, account, name), noSuchRole(name))
}

// validDeletionTaskID reports whether id has the form task/aws-service-role/SERVICE/ROLE/UUID.
func validDeletionTaskID(id string) bool {
	rest, ok := strings.CutPrefix(id, deletionTaskPrefix)
	parts := strings.Split(rest, "/")
	return ok && len(parts) == 3 && parts[0] != "" && parts[1] != "" && len(parts[2]) == 36
}

// taskName is the record name of a deletion task: its UUID, the id's last element (role names
// cannot contain '/', so the id's other parts are fixed by it).
func taskName(id string) string { return id[strings.LastIndexByte(id, '/')+1:] }

// GetServiceLinkedRoleDeletionStatus reports a deletion task's outcome.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *iamapi.GetServiceLinkedRoleDeletionStatusInput) (*iamapi.GetServiceLinkedRoleDeletionStatusOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	id := in.DeletionTaskId
	if !validDeletionTaskID(id) {
		return nil, awserr.InvalidInput("Invalid deletion task id: " + id)
	}
	missing := awserr.NoSuchEntity("Deletion task " + id + " does not exist.")
	var task deletionTask
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		return readRecord(ctx, tx, c.Account(), kindDeletionTask, taskName(id), &task, missing)
	})
	if err != nil {
		return nil, err
	}
	if task.ID != id {
		return nil, missing
	}
	out := &iamapi.GetServiceLinkedRoleDeletionStatusOutput{Status: task.Status}
	if task.Status == "FAILED" {
		reason := &iamapi.DeletionTaskFailureReasonType{Reason: task.Reason}
		if len(task.Usage) > 0 {
			reason.RoleUsageList = []iamapi.RoleUsageType{{Resources: task.Usage}}
		}
		out.Reason = reason
	}
	return out, nil
}
