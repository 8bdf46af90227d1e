package authz_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestResourceInDenial checks the resource ARN the table builds for a sample of operations, as
// a caller without permissions reads it in the AccessDenied (entity paths come from the store).
func TestResourceInDenial(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	must(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("pathed"), Path: aws.String("/team/")}))(t)
	cfg := newUser(t, h, "nobody", "")
	c, s := iamtest.IAM(cfg), iamtest.STS(cfg)
	pol := "arn:aws:iam::" + acct + ":policy/P"
	for _, tc := range []struct {
		name, action, resource string
		call                   func() error
	}{
		// An existing entity is named by its kind and the name asked for, as AWS's denials do
		// ("on resource: user NAME"); its stored path is what policies match (below).
		{"stored path", "iam:GetUser", "user pathed", func() error {
			_, err := c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("pathed")})
			return err
		}},
		// The access key operations name the user, not its ARN, and, for the caller's own
		// keys, prefix its name with "null" (AWS's answers as CloudTrail and users recorded
		// them: "on resource: user nullweb_admin" for CreateAccessKey, ListAccessKeys and
		// DeleteAccessKey without UserName).
		{"caller by default", "iam:ListAccessKeys", "user nullnobody", func() error {
			_, err := c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{})
			return err
		}},
		{"access keys of a named user", "iam:CreateAccessKey", "user pathed", func() error {
			_, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("pathed")})
			return err
		}},
		{"delete an own key", "iam:DeleteAccessKey", "user nullnobody", func() error {
			_, err := c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
			return err
		}},
		// Signing certificates and MFA devices name the user plainly ("on resource: user
		// temp-user" for the caller's own certificates).
		{"own signing certificates", "iam:ListSigningCertificates", "user nobody", func() error {
			_, err := c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{})
			return err
		}},
		{"MFA devices of a named user", "iam:ListMFADevices", "user pathed", func() error {
			_, err := c.ListMFADevices(ctx, &iamsdk.ListMFADevicesInput{UserName: aws.String("pathed")})
			return err
		}},
		// ListPolicies names the path ("on resource: policy path /").
		{"policies", "iam:ListPolicies", "policy path /", func() error {
			_, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{})
			return err
		}},
		{"policies under a prefix", "iam:ListPolicies", "policy path /a/", func() error {
			_, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{PathPrefix: aws.String("/a/")})
			return err
		}},
		{"new entity's path", "iam:CreateUser", "arn:aws:iam::" + acct + ":user/x/y/new", func() error {
			_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("new"), Path: aws.String("/x/y/")})
			return err
		}},
		{"listing under a prefix", "iam:ListRoles", "arn:aws:iam::" + acct + ":role/a/", func() error {
			_, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{PathPrefix: aws.String("/a/")})
			return err
		}},
		// The service-linked role to be made, name and all ("on resource: arn:aws:iam::…:role/
		// aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
		// in AWS's recorded answers), as AWS's own policies name it.
		{"service-linked role", "iam:CreateServiceLinkedRole", "arn:aws:iam::" + acct + ":role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing", func() error {
			_, err := c.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com")})
			return err
		}},
		{"service-linked role with a suffix", "iam:CreateServiceLinkedRole", "arn:aws:iam::" + acct + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_x", func() error {
			_, err := c.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("x")})
			return err
		}},
		{"new policy", "iam:CreatePolicy", "policy P2", func() error {
			_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("P2"), Path: aws.String("/x/"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
			return err
		}},
		{"new role", "iam:CreateRole", "arn:aws:iam::" + acct + ":role/x/R2", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("R2"), Path: aws.String("/x/"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
			return err
		}},
		{"policy", "iam:GetPolicy", "policy " + pol, func() error {
			_, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(pol)})
			return err
		}},
		{"role", "iam:GetRole", "role some-role", func() error {
			_, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("some-role")})
			return err
		}},
		{"group", "iam:GetGroup", "group some-group", func() error {
			_, err := c.GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("some-group")})
			return err
		}},
		{"instance profile by name", "iam:GetInstanceProfile", "instance profile some-ip", func() error {
			_, err := c.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("some-ip")})
			return err
		}},
		{"attach names the user", "iam:AttachUserPolicy", "user pathed", func() error {
			_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("pathed"), PolicyArn: aws.String(pol)})
			return err
		}},
		{"instance profile", "iam:CreateInstanceProfile", "arn:aws:iam::" + acct + ":instance-profile/p/ip", func() error {
			_, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip"), Path: aws.String("/p/")})
			return err
		}},
		{"oidc provider", "iam:CreateOpenIDConnectProvider", "arn:aws:iam::" + acct + ":oidc-provider/idp.example.com/tenant", func() error {
			_, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com/tenant")})
			return err
		}},
		{"server certificate", "iam:GetServerCertificate", "arn:aws:iam::" + acct + ":server-certificate/cert", func() error {
			_, err := c.GetServerCertificate(ctx, &iamsdk.GetServerCertificateInput{ServerCertificateName: aws.String("cert")})
			return err
		}},
		{"no resource type", "iam:ListOpenIDConnectProviders", "*", func() error {
			_, err := c.ListOpenIDConnectProviders(ctx, &iamsdk.ListOpenIDConnectProvidersInput{})
			return err
		}},
		{"federated user", "sts:GetFederationToken", "arn:aws:sts::" + acct + ":federated-user/fed", func() error {
			_, err := s.GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("fed")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := apiErr(t, tc.call())
			// STS gives IAM's reasons when the caller's own policies refuse (a role's trust
			// policy refusing is another matter: TestDenialWording in internal/sts).
			want := "is not authorized to perform: " + tc.action + " on resource: " + tc.resource + " because"
			if code != "AccessDenied" || !strings.Contains(msg, want) {
				t.Errorf("got %s: %q\nwant it to contain %q", code, msg, want)
			}
		})
	}
	// A denied PassRole names the role by its ARN, as AWS's do.
	adder := iamtest.IAM(newUser(t, h, "adder", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"*"}]}`))
	_, err := adder.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	if code, msg := apiErr(t, err); code != "AccessDenied" || !strings.Contains(msg, "perform: iam:PassRole on resource: arn:aws:iam::"+acct+":role/r because") {
		t.Errorf("PassRole denial: %s: %q", code, msg)
	}

	// AWS's own policies grant iam:CreateServiceLinkedRole on the role's full ARN: that grant
	// lets the role be made.
	slrMaker := iamtest.IAM(newUser(t, h, "slr-maker", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"arn:aws:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing","Condition":{"StringLike":{"iam:AWSServiceName":"elasticloadbalancing.amazonaws.com"}}}]}`))
	if _, err := slrMaker.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticloadbalancing.amazonaws.com")}); err != nil {
		t.Errorf("CreateServiceLinkedRole allowed on the role's ARN: %v", err)
	}

	// The resource evaluated is the entity's ARN with its stored path.
	reader := iamtest.IAM(newUser(t, h, "reader", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::`+acct+`:user/team/*"}]}`))
	if _, err := reader.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("pathed")}); err != nil {
		t.Errorf("GetUser of a user under /team/, allowed by its path: %v", err)
	}
}

// TestServiceConditionKeys checks the IAM condition keys delegation policies rely on.
func TestServiceConditionKeys(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	b := must(root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("B"), PolicyDocument: aws.String(allowGet)}))(t)
	other := must(root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("O"), PolicyDocument: aws.String(allowGet)}))(t)
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("ec2"), AssumeRolePolicyDocument: aws.String(trustAcc)}))(t)
	must(root.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))(t)
	delegate := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateUser","iam:AttachUserPolicy"],"Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + *b.Policy.Arn + `"}}},
		{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"` + *b.Policy.Arn + `"}}},
		{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}}]}`
	c := iamtest.IAM(newUser(t, h, "delegate", "", delegate))
	for _, tc := range []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"create with the boundary", func() error {
			_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("b1"), PermissionsBoundary: b.Policy.Arn})
			return err
		}, true},
		{"create without a boundary", func() error {
			_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("b2")})
			return err
		}, false},
		{"attach to a bounded user", func() error {
			_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("b1"), PolicyArn: other.Policy.Arn})
			return err
		}, true},
		{"attach the allowed policy to an unbounded user", func() error {
			_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("delegate"), PolicyArn: b.Policy.Arn})
			return err
		}, true},
		{"attach another policy to an unbounded user", func() error {
			_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("delegate"), PolicyArn: other.Policy.Arn})
			return err
		}, false},
		{"PassRole to EC2 refused", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("ec2")})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.allowed && err != nil {
				t.Fatal(err)
			}
			if !tc.allowed {
				if code, _ := apiErr(t, err); code != "AccessDenied" {
					t.Fatalf("got %s, want AccessDenied", code)
				}
			}
		})
	}
}
