package iamsvc_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

func TestCreateServiceLinkedRole(t *testing.T) {
	h, c := newClient(t)
	acct := h.Node.Account
	cases := []struct {
		name, service, suffix, desc string
		wantName, wantPath          string
		wantPolicy                  string // the AWS managed policy attached, by name
		code, msg                   string
	}{
		{name: "elastic beanstalk", service: "elasticbeanstalk.amazonaws.com", desc: "for EB",
			wantName: "AWSServiceRoleForElasticBeanstalk", wantPath: "/aws-service-role/elasticbeanstalk.amazonaws.com/",
			wantPolicy: "AWSElasticBeanstalkServiceRolePolicy"},
		// Services beyond the first 23, from their service-linked role pages.
		{name: "lex bots", service: "lex.amazonaws.com",
			wantName: "AWSServiceRoleForLexBots", wantPath: "/aws-service-role/lex.amazonaws.com/", wantPolicy: "LexBotPolicy"},
		{name: "application auto scaling ecs", service: "ecs.application-autoscaling.amazonaws.com",
			wantName: "AWSServiceRoleForApplicationAutoScaling_ECSService", wantPath: "/aws-service-role/ecs.application-autoscaling.amazonaws.com/",
			wantPolicy: "AWSApplicationAutoscalingECSServicePolicy"},
		{name: "dynamodb replication", service: "replication.dynamodb.amazonaws.com",
			wantName: "AWSServiceRoleForDynamoDBReplication", wantPath: "/aws-service-role/replication.dynamodb.amazonaws.com/",
			wantPolicy: "DynamoDBReplicationServiceRolePolicy"},
		{name: "chatbot", service: "management.chatbot.amazonaws.com",
			wantName: "AWSServiceRoleForAWSChatbot", wantPath: "/aws-service-role/management.chatbot.amazonaws.com/",
			wantPolicy: "AWSChatbotServiceLinkedRolePolicy"},
		{name: "lex v2 bots with a suffix", service: "lexv2.amazonaws.com", suffix: "bot1",
			wantName: "AWSServiceRoleForLexV2Bots_bot1", wantPath: "/aws-service-role/lexv2.amazonaws.com/", wantPolicy: "AmazonLexV2BotPolicy"},
		{name: "new service suffix refused", service: "ecs.application-autoscaling.amazonaws.com", suffix: "x", code: "InvalidInput",
			msg: "Custom suffix is not allowed for ecs.application-autoscaling.amazonaws.com"},
		{name: "taken", service: "elasticbeanstalk.amazonaws.com", code: "InvalidInput",
			msg: "Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix."},
		{name: "suffix allowed", service: "autoscaling.amazonaws.com", suffix: "fleet",
			wantName: "AWSServiceRoleForAutoScaling_fleet", wantPath: "/aws-service-role/autoscaling.amazonaws.com/",
			wantPolicy: "AutoScalingServiceRolePolicy"},
		{name: "suffix refused", service: "es.amazonaws.com", suffix: "x", code: "InvalidInput",
			msg: "Custom suffix is not allowed for es.amazonaws.com"},
		{name: "unknown service", service: "nosuch.amazonaws.com", code: "InvalidInput", msg: "Unrecognized service name: nosuch.amazonaws.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)}
			if tc.suffix != "" {
				in.CustomSuffix = aws.String(tc.suffix)
			}
			if tc.desc != "" {
				in.Description = aws.String(tc.desc)
			}
			out, err := c.CreateServiceLinkedRole(ctx, in)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := out.Role
			if aws.ToString(r.RoleName) != tc.wantName || aws.ToString(r.Path) != tc.wantPath ||
				aws.ToString(r.Arn) != "arn:aws:iam::"+acct+":role"+tc.wantPath+tc.wantName || r.Description != nil { // shown by GetRole, not echoed
				t.Errorf("role = %s %s %s %q", aws.ToString(r.RoleName), aws.ToString(r.Path), aws.ToString(r.Arn), aws.ToString(r.Description))
			}
			want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + tc.service + `"},"Action":"sts:AssumeRole"}]}`
			if got := decodeDoc(t, r.AssumeRolePolicyDocument); got != want {
				t.Errorf("trust = %s", got)
			}
			// It is an ordinary role to read.
			got := must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: r.RoleName}))(t).Role
			if aws.ToString(got.RoleId) != aws.ToString(r.RoleId) || aws.ToString(got.Description) != tc.desc {
				t.Errorf("GetRole id = %s %q, want %s %q", aws.ToString(got.RoleId), aws.ToString(got.Description), aws.ToString(r.RoleId), tc.desc)
			}
			// The service's AWS managed policy is attached, and counted as attached.
			arn := "arn:aws:iam::aws:policy/aws-service-role/" + tc.wantPolicy
			attached := must(c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: r.RoleName}))(t).AttachedPolicies
			if len(attached) != 1 || aws.ToString(attached[0].PolicyArn) != arn || aws.ToString(attached[0].PolicyName) != tc.wantPolicy {
				t.Errorf("attached = %+v, want %s", attached, arn)
			}
			p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
			if aws.ToInt32(p.AttachmentCount) != 1 {
				t.Errorf("%s AttachmentCount = %d", arn, aws.ToInt32(p.AttachmentCount))
			}
		})
	}
}

func TestServiceLinkedRoleProtectedAndDeleted(t *testing.T) {
	h, c := newClient(t)
	name := aws.ToString(must(c.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}))(t).Role.RoleName)
	protected := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
	_, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String(name)})
	wantErr(t, err, "UnmodifiableEntity", protected)
	_, err = c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trustEC2)})
	wantErr(t, err, "UnmodifiableEntity", protected)

	// Nobody but a service-linked role creation may use the path.
	_, err = c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("fake"), Path: aws.String("/aws-service-role/ecs.amazonaws.com/"),
		AssumeRolePolicyDocument: aws.String(trustEC2)})
	wantErr(t, err, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")

	// An ordinary role is not deleted through the service-linked operation.
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	_, err = c.DeleteServiceLinkedRole(ctx, &iamsdk.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
	wantErr(t, err, "NoSuchEntity", "")

	// In use by an instance profile: the task fails and the role stays. Only the service may
	// put its role in a profile (the API refuses it), so the use is written to the store.
	must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))(t)
	_, err = c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String(name)})
	wantErr(t, err, "UnmodifiableEntity", protected)
	inProfile := func(add bool) {
		t.Helper()
		err := h.Node.Store.Write(ctx, func(tx store.Tx) error {
			if add {
				return tx.AddRoleToInstanceProfile(ctx, acct, "ip", name)
			}
			return tx.RemoveRoleFromInstanceProfile(ctx, acct, "ip", name)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	inProfile(true)
	failed := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iamsdk.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)}))(t).DeletionTaskId)
	st := must(c.GetServiceLinkedRoleDeletionStatus(ctx, &iamsdk.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(failed)}))(t)
	if st.Status != iamtypes.DeletionTaskStatusTypeFailed || st.Reason == nil || len(st.Reason.RoleUsageList) != 1 {
		t.Fatalf("status = %s %+v", st.Status, st.Reason)
	}
	must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String(name)}))(t)

	_, err = c.RemoveRoleFromInstanceProfile(ctx, &iamsdk.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String(name)})
	wantErr(t, err, "UnmodifiableEntity", protected)
	inProfile(false)
	// The service gives its role policies (the API refuses them): written to the store directly.
	err = h.Node.Store.Write(ctx, func(tx store.Tx) error {
		return tx.PutInlinePolicy(ctx, acct, iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: name, PolicyName: "svc", Document: allowAll})
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(must(c.DeleteServiceLinkedRole(ctx, &iamsdk.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)}))(t).DeletionTaskId)
	if !regexp.MustCompile(`^task/aws-service-role/ecs\.amazonaws\.com/AWSServiceRoleForECS/[0-9a-f-]{36}$`).MatchString(id) {
		t.Fatalf("DeletionTaskId = %q", id)
	}
	st = must(c.GetServiceLinkedRoleDeletionStatus(ctx, &iamsdk.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(id)}))(t)
	if st.Status != iamtypes.DeletionTaskStatusTypeSucceeded || st.Reason != nil {
		t.Fatalf("status = %s %+v", st.Status, st.Reason)
	}
	_, err = c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String(name)})
	wantErr(t, err, "NoSuchEntity", "")
	// The policy the service's role was made with went with it.
	ecsPolicy := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")}))(t).Policy
	if aws.ToInt32(ecsPolicy.AttachmentCount) != 0 {
		t.Errorf("AmazonECSServiceRolePolicy AttachmentCount = %d after the role's deletion", aws.ToInt32(ecsPolicy.AttachmentCount))
	}

	for _, bad := range []struct{ name, id, code string }{
		{"unknown task", "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/11111111-2222-4333-8444-555555555555", "NoSuchEntity"},
		{"malformed", "not-a-task", "InvalidInput"},
		{"other role's path", id[:len("task/aws-service-role/")] + "rds.amazonaws.com/AWSServiceRoleForECS/" + id[len(id)-36:], "NoSuchEntity"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &iamsdk.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(bad.id)})
			wantErr(t, err, bad.code, "")
		})
	}
}

// TestServiceLinkedRoleChanges walks the role policy operations AWS's model lists
// UnmodifiableEntity for: each refuses a service-linked role and still serves an ordinary one
// (DeleteRole, UpdateAssumeRolePolicy and the instance-profile operations: above). The description
// (UpdateRole without MaxSessionDuration, UpdateRoleDescription) and tags stay editable, as
// AWS's guide says of every role.
func TestServiceLinkedRoleChanges(t *testing.T) {
	h, c := newClient(t)
	slr := aws.ToString(must(c.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("rds.amazonaws.com")}))(t).Role.RoleName)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	boundary := aws.ToString(must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("b"), PolicyDocument: aws.String(allowAll)}))(t).Policy.Arn)
	// Something to delete or detach on both roles, put where the service would put it.
	err := h.Node.Store.Write(ctx, func(tx store.Tx) error {
		for _, r := range []string{slr, "plain"} {
			if err := tx.PutInlinePolicy(ctx, acct, iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: r, PolicyName: "p", Document: allowAll}); err != nil {
				return err
			}
			if err := tx.AttachPolicy(ctx, acct, iam.KindRole, r, boundary); err != nil {
				return err
			}
			role, err := tx.Role(ctx, acct, r)
			if err != nil {
				return err
			}
			role.PermissionsBoundary = boundary
			if err := tx.UpdateRole(ctx, role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		call      func(role string) error
		protected bool // refused for the service-linked role; an ordinary role allows every call
	}{
		{"PutRolePolicy", func(r string) error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(r), PolicyName: aws.String("q"), PolicyDocument: aws.String(allowAll)})
			return err
		}, true},
		{"DeleteRolePolicy", func(r string) error {
			_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String(r), PolicyName: aws.String("p")})
			return err
		}, true},
		{"DetachRolePolicy", func(r string) error {
			_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String(r), PolicyArn: aws.String(boundary)})
			return err
		}, true},
		{"AttachRolePolicy", func(r string) error {
			_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String(r), PolicyArn: aws.String(boundary)})
			return err
		}, true},
		{"DeleteRolePermissionsBoundary", func(r string) error {
			_, err := c.DeleteRolePermissionsBoundary(ctx, &iamsdk.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(r)})
			return err
		}, true},
		{"PutRolePermissionsBoundary", func(r string) error {
			_, err := c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String(r), PermissionsBoundary: aws.String(boundary)})
			return err
		}, true},
		{"UpdateRole MaxSessionDuration", func(r string) error {
			_, err := c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String(r), MaxSessionDuration: aws.Int32(7200)})
			return err
		}, true},
		{"UpdateRole Description", func(r string) error {
			_, err := c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String(r), Description: aws.String("d1")})
			return err
		}, false},
		{"UpdateRoleDescription", func(r string) error {
			_, err := c.UpdateRoleDescription(ctx, &iamsdk.UpdateRoleDescriptionInput{RoleName: aws.String(r), Description: aws.String("d2")})
			return err
		}, false},
		{"TagRole", func(r string) error {
			_, err := c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String(r), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, false},
		{"UntagRole", func(r string) error {
			_, err := c.UntagRole(ctx, &iamsdk.UntagRoleInput{RoleName: aws.String(r), TagKeys: []string{"k"}})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(slr)
			if tc.protected {
				wantErr(t, err, "UnmodifiableEntity", "Cannot perform the operation on the protected role '"+slr+"' - this role is only modifiable by AWS")
			} else if err != nil {
				t.Fatalf("service-linked role: %v", err)
			}
			if err := tc.call("plain"); err != nil {
				t.Fatalf("ordinary role: %v", err)
			}
		})
	}
	// The refusals changed nothing; the allowed edits did.
	role := must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String(slr)}))(t).Role
	if role.PermissionsBoundary == nil || aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn) != boundary ||
		aws.ToInt32(role.MaxSessionDuration) != 3600 || aws.ToString(role.Description) != "d2" {
		t.Fatalf("service-linked role after the calls: boundary %+v, max %d, description %q", role.PermissionsBoundary, aws.ToInt32(role.MaxSessionDuration), aws.ToString(role.Description))
	}
	names := must(c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String(slr)}))(t).PolicyNames
	attached := must(c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String(slr)}))(t).AttachedPolicies
	// The boundary's attachment and the policy RDS's role is made with.
	if len(names) != 1 || names[0] != "p" || len(attached) != 2 {
		t.Fatalf("service-linked role's policies: inline %v, attached %+v", names, attached)
	}
	// A missing role is still NoSuchEntity, not UnmodifiableEntity.
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("nobody"), PolicyName: aws.String("q"), PolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "NoSuchEntity", "")
}
