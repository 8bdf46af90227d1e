"""effect/, action/ and resource/: the statement elements that decide whether a statement applies."""

from lib import (A, ALICE, U_ACTION, U_EFFECT, U_EVAL, U_NOTACTION, U_NOTRESOURCE, U_RESOURCE,
                 U_STATEMENT, U_POLICIES, ev, matched, pol, stmt, user)

OBJ = "arn:aws:s3:::amzn-s3-demo-bucket/k"


def _req(action, resource, *policies, principal=None, **extra):
    r = {"action": action, "resource": resource, "principal": principal or user()}
    if policies:
        r["identityPolicies"] = list(policies)
    r.update(extra)
    return r


def effect():
    t = "effect"
    out = [
        ev(t, "default-deny-no-policies", "No policy at all: every request is implicitly denied by default.",
           U_EVAL, _req("s3:GetObject", OBJ), "implicitDeny", []),
        ev(t, "default-deny-empty-list", "An empty list of identity policies is the same as none: implicit deny.",
           U_EVAL, _req("s3:GetObject", OBJ, identityPolicies=[]), "implicitDeny"),
        ev(t, "allow-matches", "One Allow statement matching action and resource allows the request.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="S1", resource=OBJ))), "allowed",
           matched(("identityPolicies[0]", "S1", "Allow"))),
        ev(t, "allow-other-action", "An Allow for another action leaves the request implicitly denied.",
           U_EVAL, _req("s3:PutObject", OBJ, pol(stmt(sid="S1", resource=OBJ))), "implicitDeny", []),
        ev(t, "allow-other-resource", "An Allow for another resource leaves the request implicitly denied.",
           U_EVAL, _req("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/other", pol(stmt(sid="S1", resource=OBJ))), "implicitDeny", []),
        ev(t, "deny-wins-same-policy", "An explicit Deny overrides an Allow in the same policy; both statements matched.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A", action="s3:*"), stmt("Deny", sid="D", resource=OBJ))),
           "explicitDeny", matched(("identityPolicies[0]", "A", "Allow"), ("identityPolicies[0]", "D", "Deny"))),
        ev(t, "deny-wins-across-policies", "An explicit Deny in one identity policy overrides an Allow in another.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A")), pol(stmt("Deny", sid="D"))),
           "explicitDeny", matched(("identityPolicies[0]", "A", "Allow"), ("identityPolicies[1]", "D", "Deny"))),
        ev(t, "deny-only", "A policy with only a Deny never allows; the matched Deny makes it an explicit deny.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt("Deny", sid="D"))), "explicitDeny",
           matched(("identityPolicies[0]", "D", "Deny"))),
        ev(t, "deny-other-action-no-effect", "A Deny for another action does not affect this request; the Allow applies.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A"), stmt("Deny", sid="D", action="s3:DeleteObject"))),
           "allowed", matched(("identityPolicies[0]", "A", "Allow"))),
        ev(t, "deny-condition-false", "A Deny whose condition does not hold does not apply; the Allow does.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A"), stmt("Deny", sid="D", Condition={"Bool": {"aws:SecureTransport": "false"}})),
                        context={"aws:SecureTransport": "true"}),
           "allowed", matched(("identityPolicies[0]", "A", "Allow"))),
        ev(t, "two-allows-both-match", "Two matching Allow statements: allowed, and both are reported as matched.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A1"), stmt(sid="A2", action="s3:Get*"))),
           "allowed", matched(("identityPolicies[0]", "A1", "Allow"), ("identityPolicies[0]", "A2", "Allow"))),
        ev(t, "statement-single-object", "Statement may be a single object instead of an array.",
           U_STATEMENT, _req("s3:GetObject", OBJ, {"Version": "2012-10-17", "Statement": stmt(sid="Only")}),
           "allowed", matched(("identityPolicies[0]", "Only", "Allow"))),
        ev(t, "statement-without-sid", "A statement without a Sid is reported with sid \"\".",
           U_STATEMENT, _req("s3:GetObject", OBJ, pol(stmt())), "allowed", matched(("identityPolicies[0]", "", "Allow"))),
        ev(t, "deny-in-resource-policy-wins", "An explicit Deny in a resource-based policy overrides an identity-based Allow.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt(sid="A")),
                        resourcePolicy=pol(stmt("Deny", sid="RD", Principal={"AWS": ALICE}))), "explicitDeny"),
        ev(t, "deny-identity-beats-resource-allow", "An identity-based Deny overrides a resource-based Allow naming the user.",
           U_EVAL, _req("s3:GetObject", OBJ, pol(stmt("Deny", sid="D")),
                        resourcePolicy=pol(stmt(sid="RA", Principal={"AWS": ALICE}))), "explicitDeny"),
        ev(t, "deny-star-everything", "Deny * on * denies every request even with an Allow of the exact action.",
           U_EVAL, _req("iam:CreateUser", f"arn:aws:iam::{A}:user/bob", pol(stmt(action="iam:CreateUser"), stmt("Deny", action="*"))),
           "explicitDeny"),
        ev(t, "allow-star-everything", "Allow * on * allows any action on any resource (AdministratorAccess).",
           U_EVAL, _req("iam:CreateUser", f"arn:aws:iam::{A}:user/bob", pol(stmt(action="*"))), "allowed"),
        ev(t, "deny-notresource-outside", "Deny with NotResource denies everything except the listed resources; this object is outside.",
           U_NOTRESOURCE, _req("s3:GetObject", "arn:aws:s3:::other/k", pol(stmt(action="s3:*"), stmt("Deny", action="s3:*", resource=None,
                                                                                                   NotResource=["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]))),
           "explicitDeny"),
        ev(t, "deny-notresource-inside", "Deny with NotResource: the object is inside the listed bucket, so only the Allow applies.",
           U_NOTRESOURCE, _req("s3:GetObject", OBJ, pol(stmt(action="s3:*"), stmt("Deny", action="s3:*", resource=None,
                                                                                   NotResource=["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]))),
           "allowed"),
        ev(t, "managed-and-inline-union", "Several identity-based policies (inline and managed) are combined: one allows GetObject, another PutObject.",
           U_POLICIES, _req("s3:PutObject", OBJ, pol(stmt(action="s3:GetObject")), pol(stmt(action="s3:PutObject"))), "allowed"),
        ev(t, "id-element-ignored", "The optional Id element does not change evaluation.",
           U_EVAL, _req("s3:GetObject", OBJ, {"Version": "2012-10-17", "Id": "my-policy", "Statement": [stmt()]}), "allowed"),
    ]
    return out


def action():
    t = "action"
    cases = [
        ("exact", "s3:GetObject", "s3:GetObject", "allowed", "exact action name"),
        ("case-insensitive-policy", "S3:getobject", "s3:GetObject", "allowed", "action names are case-insensitive (policy in odd case)"),
        ("case-insensitive-request", "s3:GetObject", "S3:GETOBJECT", "allowed", "action names are case-insensitive (request in upper case)"),
        ("prefix-wildcard", "s3:Get*", "s3:GetObject", "allowed", "s3:Get* matches every action starting with Get"),
        ("prefix-wildcard-other", "s3:Get*", "s3:PutObject", "implicitDeny", "s3:Get* does not match PutObject"),
        ("suffix-wildcard", "s3:*Object", "s3:DeleteObject", "allowed", "s3:*Object matches DeleteObject"),
        ("suffix-wildcard-other", "s3:*Object", "s3:ListBucket", "implicitDeny", "s3:*Object does not match ListBucket"),
        ("infix-wildcard", "iam:*AccessKey*", "iam:CreateAccessKey", "allowed", "iam:*AccessKey* (documented example) matches CreateAccessKey"),
        ("infix-wildcard-plural", "iam:*AccessKey*", "iam:ListAccessKeys", "allowed", "iam:*AccessKey* matches ListAccessKeys"),
        ("infix-wildcard-other", "iam:*AccessKey*", "iam:ListUsers", "implicitDeny", "iam:*AccessKey* does not match ListUsers"),
        ("service-star", "s3:*", "s3:ListBucket", "allowed", "s3:* matches every S3 action"),
        ("service-star-other-service", "ec2:*", "s3:ListBucket", "implicitDeny", "ec2:* does not match an S3 action"),
        ("service-star-similar-prefix", "s3:*", "s3-object-lambda:GetObject", "implicitDeny", "s3:* is the s3 service only, not s3-object-lambda"),
        ("star", "*", "dynamodb:GetItem", "allowed", "* matches every action of every service"),
        ("question-one-char", "s3:Get?bject", "s3:GetObject", "allowed", "? matches exactly one character"),
        ("question-not-two", "s3:Get?Object", "s3:GetObject", "implicitDeny", "? needs exactly one character, and GetObject has none there"),
        ("trailing-star-empty", "s3:GetObject*", "s3:GetObject", "allowed", "* may match zero characters"),
        ("trailing-star-more", "s3:GetObject*", "s3:GetObjectAcl", "allowed", "s3:GetObject* matches GetObjectAcl"),
        ("no-partial-match", "s3:Get", "s3:GetObject", "implicitDeny", "without a wildcard the whole name must match"),
        ("list-second", ["ec2:RunInstances", "s3:GetObject"], "s3:GetObject", "allowed", "a list of actions matches if any entry matches"),
        ("list-none", ["ec2:RunInstances", "s3:PutObject"], "s3:GetObject", "implicitDeny", "no entry of the list matches"),
        ("service-case-insensitive-wildcard", "EC2:Describe*", "ec2:DescribeInstances", "allowed", "wildcards and the service prefix ignore case"),
    ]
    out = []
    for name, pa, ra, dec, what in cases:
        out.append(ev(t, name, f"Action {pa!r} against request action {ra!r}: {what}.", U_ACTION,
                      _req(ra, "*", pol(stmt(action=pa))), dec))
    na = [
        ("notaction-allow-other-service", "Allow", "iam:*", "s3:GetObject", "allowed",
         "Allow with NotAction iam:* allows every action that is not an IAM action (documented example)"),
        ("notaction-allow-excluded", "Allow", "iam:*", "iam:CreateUser", "implicitDeny",
         "Allow with NotAction iam:* does not allow IAM actions"),
        ("notaction-allow-case-insensitive", "Allow", "IAM:*", "iam:CreateUser", "implicitDeny",
         "NotAction matching is case-insensitive too"),
        ("notaction-allow-list", "Allow", ["iam:*", "organizations:*"], "organizations:ListAccounts", "implicitDeny",
         "NotAction list: the action is in the excluded list"),
        ("notaction-allow-list-other", "Allow", ["iam:*", "organizations:*"], "ec2:RunInstances", "allowed",
         "NotAction list: the action is in neither excluded entry"),
        ("notaction-allow-specific", "Allow", "s3:DeleteBucket", "s3:DeleteObject", "allowed",
         "NotAction s3:DeleteBucket excludes only that action"),
    ]
    for name, eff, nact, ra, dec, what in na:
        out.append(ev(t, name, what + ".", U_NOTACTION,
                      _req(ra, "*", pol(stmt(eff, sid="N", action=None, NotAction=nact))), dec))
    out.append(ev(t, "notaction-deny-outside", "Deny with NotAction iam:* beside Allow *: a non-IAM action is explicitly denied.",
                  U_NOTACTION, _req("s3:GetObject", OBJ, pol(stmt(sid="All", action="*"), stmt("Deny", sid="N", action=None, NotAction="iam:*"))),
                  "explicitDeny", matched(("identityPolicies[0]", "All", "Allow"), ("identityPolicies[0]", "N", "Deny"))))
    out.append(ev(t, "notaction-deny-excluded", "Deny with NotAction iam:* beside Allow *: an IAM action is not denied, so it is allowed.",
                  U_NOTACTION, _req("iam:ListUsers", "*", pol(stmt(sid="All", action="*"), stmt("Deny", sid="N", action=None, NotAction="iam:*"))),
                  "allowed", matched(("identityPolicies[0]", "All", "Allow"))))
    mfa = pol(stmt(action="*"), stmt("Deny", action=None, NotAction=["iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"],
                                     Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    out.append(ev(t, "notaction-deny-without-mfa", "The documented MFA policy: Deny NotAction [iam:ChangePassword, ...] when MFA is absent; ec2 is denied.",
                  U_NOTACTION, _req("ec2:DescribeInstances", "*", mfa, context={}), "explicitDeny"))
    out.append(ev(t, "notaction-deny-without-mfa-exempt", "The documented MFA policy: iam:ChangePassword is exempted by NotAction, so it stays allowed.",
                  U_NOTACTION, _req("iam:ChangePassword", f"arn:aws:iam::{A}:user/alice", mfa, context={}), "allowed"))
    out.append(ev(t, "notaction-deny-with-mfa", "The documented MFA policy: with aws:MultiFactorAuthPresent=true the Deny does not apply.",
                  U_NOTACTION, _req("ec2:DescribeInstances", "*", mfa, context={"aws:MultiFactorAuthPresent": "true"}), "allowed"))
    out.append(ev(t, "notaction-with-resource", "Allow NotAction s3:DeleteObject on one bucket's objects: GetObject there is allowed.",
                  U_NOTACTION, _req("s3:GetObject", OBJ, pol(stmt(action=None, NotAction="s3:DeleteObject", resource="arn:aws:s3:::amzn-s3-demo-bucket/*"))),
                  "allowed"))
    out.append(ev(t, "notaction-with-resource-elsewhere", "Allow NotAction on one bucket's objects: the object of another bucket is not covered.",
                  U_NOTACTION, _req("s3:GetObject", "arn:aws:s3:::other/k",
                                    pol(stmt(action=None, NotAction="s3:DeleteObject", resource="arn:aws:s3:::amzn-s3-demo-bucket/*"))),
                  "implicitDeny"))
    return out


def resource():
    t = "resource"
    cases = [
        ("exact", OBJ, OBJ, "allowed", "the exact ARN"),
        ("other-object", OBJ, "arn:aws:s3:::amzn-s3-demo-bucket/k2", "implicitDeny", "a different object key"),
        ("case-sensitive-bucket", "arn:aws:s3:::Amzn-S3-Demo-Bucket/k", OBJ, "implicitDeny", "resource ARNs are case-sensitive"),
        ("case-sensitive-key", "arn:aws:s3:::amzn-s3-demo-bucket/K", OBJ, "implicitDeny", "object keys are case-sensitive"),
        ("case-sensitive-iam-user", f"arn:aws:iam::{A}:user/Alice", f"arn:aws:iam::{A}:user/alice", "implicitDeny",
         "ARN matching is case-sensitive even though IAM names are case-insensitively unique"),
        ("star-all", "*", "arn:aws:dynamodb:us-east-1:111122223333:table/Books", "allowed", "* matches every resource"),
        ("object-star-deep", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", "allowed",
         "* in the resource part spans slashes"),
        ("object-star-not-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket", "implicitDeny",
         "bucket/* does not match the bucket ARN itself (no slash)"),
        ("bucket-star-prefix", "arn:aws:s3:::amzn-s3-demo-bucket*", "arn:aws:s3:::amzn-s3-demo-bucket", "allowed", "* may match nothing"),
        ("bucket-star-prefix-objects", "arn:aws:s3:::amzn-s3-demo-bucket*", "arn:aws:s3:::amzn-s3-demo-bucket-logs/k", "allowed",
         "a trailing * matches other buckets and their objects"),
        ("question-one-char", "arn:aws:s3:::amzn-s3-demo-bucket/?.txt", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt", "allowed", "? is one character"),
        ("question-not-two", "arn:aws:s3:::amzn-s3-demo-bucket/?.txt", "arn:aws:s3:::amzn-s3-demo-bucket/ab.txt", "implicitDeny", "? is exactly one character"),
        ("multiple-wildcards", "arn:aws:s3:::amzn-s3-demo-bucket/*/reports/*.csv", "arn:aws:s3:::amzn-s3-demo-bucket/2020/reports/q1.csv", "allowed",
         "several * in one segment"),
        ("multiple-wildcards-miss", "arn:aws:s3:::amzn-s3-demo-bucket/*/reports/*.csv", "arn:aws:s3:::amzn-s3-demo-bucket/2020/reports/q1.json", "implicitDeny",
         "the suffix .csv must match"),
        ("region-and-instance-wildcards", "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", "allowed",
         "* in the region segment and in the resource segment"),
        ("other-account", "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:444455556666:instance/i-0123456789abcdef0", "implicitDeny",
         "the account segment must match"),
        ("account-wildcard", "arn:aws:iam::*:role/R", "arn:aws:iam::444455556666:role/R", "allowed", "* in the account segment"),
        ("star-matches-empty-region", f"arn:aws:iam:*:{A}:user/alice", f"arn:aws:iam::{A}:user/alice", "allowed", "* matches the empty region of an IAM ARN"),
        ("user-path-wildcard", f"arn:aws:iam::{A}:user/*", f"arn:aws:iam::{A}:user/division_abc/subdivision_xyz/alice", "allowed",
         "user/* covers users at any path (documented example)"),
        ("user-path-specific", f"arn:aws:iam::{A}:user/division_abc/*", f"arn:aws:iam::{A}:user/division_xyz/alice", "implicitDeny", "another path"),
        ("dynamodb-table-case", f"arn:aws:dynamodb:us-east-1:{A}:table/Books", f"arn:aws:dynamodb:us-east-1:{A}:table/books", "implicitDeny", "table names are case-sensitive"),
        ("partition-differs", "arn:aws-cn:s3:::amzn-s3-demo-bucket/k", OBJ, "implicitDeny", "the partition segment must match"),
        ("service-differs", "arn:aws:sqs:::amzn-s3-demo-bucket/k", OBJ, "implicitDeny", "the service segment must match"),
        ("s3-star", "arn:aws:s3:::*", OBJ, "allowed", "arn:aws:s3:::* matches every bucket and object"),
        ("trailing-star-spans-colons", f"arn:aws:logs:us-east-1:{A}:log-group:my-group:*",
         f"arn:aws:logs:us-east-1:{A}:log-group:my-group:log-stream:s1", "allowed",
         "a * that is the last character of a segment can expand beyond the colon boundaries"),
        ("sqs-question", f"arn:aws:sqs:us-east-1:{A}:queue?", f"arn:aws:sqs:us-east-1:{A}:queue1", "allowed", "? in the resource segment"),
    ]
    out = []
    for name, pr, rr, dec, what in cases:
        out.append(ev(t, name, f"Resource {pr!r} against {rr!r}: {what}.", U_RESOURCE,
                      _req("s3:GetObject", rr, pol(stmt(resource=pr))), dec))
    out.append(ev(t, "list-any", "A list of resources matches if any entry matches.", U_RESOURCE,
                  _req("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket",
                       pol(stmt(action="s3:ListBucket", resource=["arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket"]))), "allowed"))
    out.append(ev(t, "list-none", "A list of resources: no entry matches.", U_RESOURCE,
                  _req("s3:ListBucket", "arn:aws:s3:::other",
                       pol(stmt(action="s3:ListBucket", resource=["arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket"]))), "implicitDeny"))
    nr = ["arn:aws:s3:::amzn-s3-demo-bucket/secret/*"]
    out.append(ev(t, "notresource-allow-outside", "Allow s3:* with NotResource secret/*: an object outside secret/ is allowed.", U_NOTRESOURCE,
                  _req("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/public/a", pol(stmt(action="s3:*", resource=None, NotResource=nr))), "allowed"))
    out.append(ev(t, "notresource-allow-inside", "Allow s3:* with NotResource secret/*: an object under secret/ is not allowed.", U_NOTRESOURCE,
                  _req("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/secret/a", pol(stmt(action="s3:*", resource=None, NotResource=nr))), "implicitDeny"))
    out.append(ev(t, "notresource-other-service", "Allow s3:* with NotResource: the statement still only covers S3 actions.", U_NOTRESOURCE,
                  _req("ec2:RunInstances", "*", pol(stmt(action="s3:*", resource=None, NotResource=nr))), "implicitDeny"))
    out.append(ev(t, "notresource-case-sensitive", "NotResource is case-sensitive: SECRET/ is not secret/, so the Allow covers it.", U_NOTRESOURCE,
                  _req("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/SECRET/a", pol(stmt(action="s3:*", resource=None, NotResource=nr))), "allowed"))
    both = pol(stmt("Deny", action=None, NotAction=["iam:*"], resource=None, NotResource=[f"arn:aws:iam::{A}:user/alice"]), stmt(action="*"))
    out.append(ev(t, "notaction-notresource-deny-hit", "Deny NotAction iam:* NotResource user/alice: an S3 request is both outside and denied.",
                  U_NOTRESOURCE, _req("s3:GetObject", OBJ, both), "explicitDeny"))
    out.append(ev(t, "notaction-notresource-deny-iam", "Deny NotAction iam:* NotResource user/alice: an IAM action escapes the Deny.",
                  U_NOTRESOURCE, _req("iam:GetUser", f"arn:aws:iam::{A}:user/bob", both), "allowed"))
    return out


def cases():
    return effect() + action() + resource()
