"""gates/: permissions boundaries, session policies, SCP chains and RCPs.

Each gate limits and never grants: the request must be allowed by every gate that applies,
and an explicit Deny in any of them wins. SCP and RCP levels (root OU ... account) each must
allow. Same-account resource-based grants are not limited by a boundary when they name the
user, but are when they name the role ARN; session policies limit grants to the role ARN but
not grants to the session ARN (boundary and session-policy pages).
"""

from lib import (A, ALICE, B, B_ALICE, ROLE, SESSION, U_BOUNDARY, U_EVAL, U_RCP, U_RCP_EVAL, U_SCP, U_SESSION,
                 ev, matched, pol, session, stmt, user)

OBJ = "arn:aws:s3:::amzn-s3-demo-bucket/k"
FULL = pol(stmt(sid="FullAWSAccess", action="*"))
RCP_FULL = pol(stmt(sid="RCPFullAWSAccess", action="*", Principal="*"))


def req(principal=None, identity=None, action="s3:GetObject", resource=OBJ, **extra):
    r = {"action": action, "resource": resource, "principal": principal or user()}
    if identity is not None:
        r["identityPolicies"] = identity
    r.update(extra)
    return r


ID_S3 = [pol(stmt(sid="I", action="s3:*"))]


def boundary():
    t = "gates/boundary"
    out = []
    add = out.append
    shirley = pol(stmt(action=["s3:*", "cloudwatch:*", "ec2:*"]))
    add(ev(t, "both-allow", "Identity-based policy and permissions boundary both allow s3:GetObject: allowed.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=shirley), "allowed"))
    add(ev(t, "boundary-excludes-action", "The documented ShirleyRodriguez example: the identity policy allows iam:CreateUser, the boundary only s3/cloudwatch/ec2.",
           U_BOUNDARY, req(None, [pol(stmt(action="iam:CreateUser"))], action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/new",
                           permissionsBoundary=shirley), "implicitDeny"))
    add(ev(t, "boundary-does-not-grant", "A permissions boundary alone grants nothing: no identity-based policy, denied.",
           U_BOUNDARY, req(None, None, permissionsBoundary=shirley), "implicitDeny"))
    add(ev(t, "boundary-explicit-deny", "An explicit Deny in the boundary (DenyS3Logs of the documented XCompanyBoundaries) wins.",
           U_BOUNDARY, req(None, ID_S3, resource="arn:aws:s3:::logs/app.log",
                           permissionsBoundary=pol(stmt(sid="ServiceBoundaries", action=["s3:*", "ec2:*"]),
                                                   stmt("Deny", sid="DenyS3Logs", action="s3:*", resource=["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]))),
           "explicitDeny"))
    add(ev(t, "boundary-deny-other-resource", "The boundary's Deny covers the logs bucket only; another bucket is allowed.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=pol(stmt(action=["s3:*", "ec2:*"]),
                                                             stmt("Deny", action="s3:*", resource=["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]))),
           "allowed"))
    add(ev(t, "boundary-resource-scoped", "A boundary allowing s3:* only on another bucket does not allow this object.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=pol(stmt(action="s3:*", resource="arn:aws:s3:::other/*"))), "implicitDeny"))
    add(ev(t, "boundary-condition", "A boundary with a condition: the request satisfies it.",
           U_BOUNDARY, req(None, ID_S3, context={"aws:RequestedRegion": "eu-west-1"},
                           permissionsBoundary=pol(stmt(action="s3:*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
           "allowed"))
    add(ev(t, "boundary-condition-false", "A boundary with a condition the request does not satisfy: denied.",
           U_BOUNDARY, req(None, ID_S3, context={"aws:RequestedRegion": "us-east-1"},
                           permissionsBoundary=pol(stmt(action="s3:*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
           "implicitDeny"))
    add(ev(t, "boundary-notaction", "A boundary with Allow NotAction iam:* covers S3.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=pol(stmt(action=None, NotAction="iam:*"))), "allowed"))
    add(ev(t, "boundary-on-role-session", "A role's permissions boundary limits its sessions: the role allows s3:* but the boundary only ec2.",
           U_BOUNDARY, req(session(), ID_S3, permissionsBoundary=pol(stmt(action="ec2:*"))), "implicitDeny"))
    add(ev(t, "resource-policy-user-arn-not-limited",
           "Same account: a resource-based policy naming the user ARN is not limited by an implicit deny in the boundary.",
           U_BOUNDARY, req(None, None, permissionsBoundary=pol(stmt(action="ec2:*")),
                           resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ALICE}))), "allowed"))
    add(ev(t, "resource-policy-user-arn-boundary-deny",
           "Same account: an explicit Deny in the boundary still overrides a resource-based policy naming the user.",
           U_BOUNDARY, req(None, None, permissionsBoundary=pol(stmt(action="*"), stmt("Deny", action="s3:GetObject")),
                           resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ALICE}))), "explicitDeny"))
    add(ev(t, "resource-policy-role-arn-limited",
           "Same account: a resource-based policy naming the role ARN is limited by an implicit deny in the role's boundary.",
           U_BOUNDARY, req(session(), None, permissionsBoundary=pol(stmt(action="ec2:*")),
                           resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ROLE}))), "implicitDeny"))
    add(ev(t, "resource-policy-role-arn-boundary-allows",
           "Same account: a resource-based policy naming the role ARN, with a boundary that allows s3: allowed without an identity-based policy.",
           U_BOUNDARY, req(session(), None, permissionsBoundary=pol(stmt(action="s3:*")),
                           resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ROLE}))), "allowed"))
    add(ev(t, "boundary-scp-identity-all", "SCP, boundary and identity-based policy all allow: allowed.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=pol(stmt(action="s3:*")), scps=[[FULL]]), "allowed"))
    add(ev(t, "boundary-scp-identity-scp-missing", "Boundary and identity-based policy allow, the SCP does not: denied.",
           U_BOUNDARY, req(None, ID_S3, permissionsBoundary=pol(stmt(action="s3:*")), scps=[[pol(stmt(action="ec2:*"))]]), "implicitDeny"))
    return out


def sessions():
    t = "gates/session"
    out = []
    add = out.append
    add(ev(t, "intersection-allows", "Session permissions are the intersection of the role's identity-based policy and the session policy: both allow.",
           U_SESSION, req(session(), ID_S3, sessionPolicies=[pol(stmt(sid="SP"))]), "allowed"))
    add(ev(t, "session-policy-excludes", "The session policy allows PutObject only: GetObject is denied though the role allows s3:*.",
           U_SESSION, req(session(), ID_S3, sessionPolicies=[pol(stmt(action="s3:PutObject"))]), "implicitDeny"))
    add(ev(t, "session-policy-cannot-grant", "A session policy cannot grant more than the role's identity-based policy allows.",
           U_SESSION, req(session(), [pol(stmt(action="ec2:*"))], sessionPolicies=[pol(stmt(action="s3:*"))]), "implicitDeny"))
    add(ev(t, "session-policy-deny", "An explicit Deny in a session policy wins.",
           U_SESSION, req(session(), ID_S3, sessionPolicies=[pol(stmt(action="*"), stmt("Deny", action="s3:GetObject"))]), "explicitDeny"))
    add(ev(t, "managed-session-policies-union",
           "Inline and managed session policies passed together: one allows GetObject, another PutObject; the session may GetObject. "
           "(The pages describe the session policies together as one limit; a grant in any of them counts.)",
           U_SESSION, req(session(), ID_S3, sessionPolicies=[pol(stmt(action="s3:PutObject")), pol(stmt(action="s3:GetObject"))]), "allowed"))
    add(ev(t, "resource-policy-role-arn-limited",
           "A resource-based policy naming the role ARN is limited by the session policy: it adds to the role's permissions before the session is created.",
           U_SESSION, req(session(), None, sessionPolicies=[pol(stmt(action="s3:PutObject"))],
                          resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ROLE}))), "implicitDeny"))
    add(ev(t, "resource-policy-role-arn-session-allows",
           "A resource-based policy naming the role ARN and a session policy that allows GetObject: allowed without an identity-based policy.",
           U_SESSION, req(session(), None, sessionPolicies=[pol(stmt(action="s3:GetObject"))],
                          resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": ROLE}))), "allowed"))
    add(ev(t, "resource-policy-session-arn-not-limited",
           "A resource-based policy naming the session ARN adds permissions after the session is created: the session policy does not limit them.",
           U_SESSION, req(session(), None, sessionPolicies=[pol(stmt(action="s3:PutObject"))],
                          resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": SESSION}))), "allowed"))
    add(ev(t, "resource-policy-session-arn-session-deny",
           "A resource-based policy naming the session ARN; an explicit Deny in the session policy still wins.",
           U_SESSION, req(session(), None, sessionPolicies=[pol(stmt(action="*"), stmt("Deny", action="s3:GetObject"))],
                          resourcePolicy=pol(stmt(sid="R", resource=OBJ, Principal={"AWS": SESSION}))), "explicitDeny"))
    add(ev(t, "session-boundary-identity-all", "Session policy, boundary and identity-based policy all allow: allowed.",
           U_BOUNDARY, req(session(), ID_S3, sessionPolicies=[pol(stmt(action="s3:*"))], permissionsBoundary=pol(stmt(action="s3:*"))), "allowed"))
    add(ev(t, "session-boundary-identity-boundary-missing", "Session policy and identity-based policy allow, the boundary does not: denied.",
           U_BOUNDARY, req(session(), ID_S3, sessionPolicies=[pol(stmt(action="s3:*"))], permissionsBoundary=pol(stmt(action="ec2:*"))), "implicitDeny"))
    fed = {"arn": f"arn:aws:sts::{A}:federated-user/Bob", "account": A}
    add(ev(t, "federated-user-intersection", "A federated user session (GetFederationToken): the IAM user's policies and the passed session policy both allow.",
           U_SESSION, req(fed, ID_S3, sessionPolicies=[pol(stmt(action="s3:GetObject"))]), "allowed"))
    add(ev(t, "federated-user-session-excludes", "A federated user session: the passed session policy does not allow GetObject.",
           U_SESSION, req(fed, ID_S3, sessionPolicies=[pol(stmt(action="s3:ListBucket"))]), "implicitDeny"))
    add(ev(t, "session-policy-resource-scoped", "A session policy scoped to one prefix: an object under it is allowed.",
           U_SESSION, req(session(), ID_S3, resource="arn:aws:s3:::amzn-s3-demo-bucket/team/a",
                          sessionPolicies=[pol(stmt(resource="arn:aws:s3:::amzn-s3-demo-bucket/team/*"))]), "allowed"))
    add(ev(t, "session-policy-resource-scoped-outside", "A session policy scoped to one prefix: an object outside it is denied.",
           U_SESSION, req(session(), ID_S3, resource="arn:aws:s3:::amzn-s3-demo-bucket/other/a",
                          sessionPolicies=[pol(stmt(resource="arn:aws:s3:::amzn-s3-demo-bucket/team/*"))]), "implicitDeny"))
    return out


def scps():
    t = "gates/scp"
    out = []
    add = out.append
    add(ev(t, "full-access-and-identity", "FullAWSAccess at every level and an identity-based Allow: allowed.",
           U_SCP, req(None, ID_S3, scps=[[FULL], [FULL], [FULL]]), "allowed"))
    add(ev(t, "scp-does-not-grant", "An SCP allowing everything grants nothing by itself: no identity-based policy, denied.",
           U_SCP, req(None, None, scps=[[FULL]]), "implicitDeny"))
    add(ev(t, "account-level-missing", "The account level allows only ec2: every level must allow, so s3 is denied.",
           U_SCP, req(None, ID_S3, scps=[[FULL], [FULL], [pol(stmt(action="ec2:*"))]]), "implicitDeny"))
    add(ev(t, "root-level-missing", "The root level allows only ec2 while the account level allows s3: the root level blocks it.",
           U_SCP, req(None, ID_S3, scps=[[pol(stmt(action="ec2:*"))], [FULL], [pol(stmt(action="s3:*"))]]), "implicitDeny"))
    add(ev(t, "ou-level-missing", "An OU level in the middle allows only ec2: denied.",
           U_SCP, req(None, ID_S3, scps=[[FULL], [pol(stmt(action="ec2:*"))], [FULL]]), "implicitDeny"))
    add(ev(t, "every-level-allows-s3", "Each level allows s3:* (allow-list strategy at every level): allowed.",
           U_SCP, req(None, ID_S3, scps=[[pol(stmt(action="s3:*"))], [pol(stmt(action="s3:*"))]]), "allowed"))
    add(ev(t, "level-any-policy-allows", "A level with two SCPs allows if either of them allows.",
           U_SCP, req(None, ID_S3, scps=[[FULL], [pol(stmt(action="ec2:*")), pol(stmt(action="s3:Get*"))]]), "allowed"))
    add(ev(t, "deny-at-account-level", "FullAWSAccess plus a Deny of s3:GetObject at the account level: explicit deny.",
           U_SCP, req(None, ID_S3, scps=[[FULL], [FULL, pol(stmt("Deny", action="s3:GetObject"))]]), "explicitDeny"))
    add(ev(t, "deny-at-root-level", "A Deny at the root level applies to every account below: explicit deny.",
           U_SCP, req(None, ID_S3, scps=[[FULL, pol(stmt("Deny", action="s3:*"))], [FULL]]), "explicitDeny"))
    region_deny = pol(stmt("Deny", action=None, NotAction=["iam:*", "organizations:*", "sts:*"],
                           Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}))
    add(ev(t, "region-deny-outside", "The documented deny-outside-regions SCP: a request to us-east-1 is denied.",
           U_SCP, req(None, ID_S3, scps=[[FULL, region_deny]], context={"aws:RequestedRegion": "us-east-1"}), "explicitDeny"))
    add(ev(t, "region-deny-inside", "The documented deny-outside-regions SCP: a request to eu-west-1 is allowed.",
           U_SCP, req(None, ID_S3, scps=[[FULL, region_deny]], context={"aws:RequestedRegion": "eu-west-1"}), "allowed"))
    add(ev(t, "region-deny-exempt-action", "The deny-outside-regions SCP exempts IAM via NotAction: iam:ListUsers in us-east-1 is allowed.",
           U_SCP, req(None, [pol(stmt(action="iam:*"))], action="iam:ListUsers", resource="*", scps=[[FULL, region_deny]],
                      context={"aws:RequestedRegion": "us-east-1"}), "allowed"))
    add(ev(t, "scp-limits-resource-policy-grant", "SCPs limit a principal even when a resource-based policy names it: the SCP does not allow s3.",
           U_EVAL, req(None, None, scps=[[pol(stmt(action="ec2:*"))]], resourcePolicy=pol(stmt(resource=OBJ, Principal={"AWS": ALICE}))),
           "implicitDeny"))
    add(ev(t, "scp-role-session", "SCPs apply to role sessions in the account: the SCP allows only ec2.",
           U_SCP, req(session(), ID_S3, scps=[[pol(stmt(action="ec2:*"))]]), "implicitDeny"))
    add(ev(t, "scp-with-resource", "An SCP allowing s3:* on one bucket only: an object of another bucket is denied.",
           U_SCP, req(None, ID_S3, resource="arn:aws:s3:::other/k", scps=[[pol(stmt(action="s3:*", resource="arn:aws:s3:::amzn-s3-demo-bucket/*"))]]),
           "implicitDeny"))
    return out


def rcps():
    t = "gates/rcp"
    out = []
    add = out.append
    add(ev(t, "full-access", "RCPFullAWSAccess at every level and an identity-based Allow: allowed.",
           U_RCP_EVAL, req(None, ID_S3, rcps=[[RCP_FULL], [RCP_FULL]]), "allowed"))
    add(ev(t, "rcp-does-not-grant", "RCPs never grant: RCPFullAWSAccess alone leaves the request implicitly denied.",
           U_RCP_EVAL, req(None, None, rcps=[[RCP_FULL]]), "implicitDeny"))
    org_deny = pol(stmt("Deny", sid="EnforceOrgIdentities", action="s3:*", Principal="*",
                        Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdef0123"},
                                   "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))
    xb = dict(resourceAccount=A)
    add(ev(t, "deny-outside-org", "The documented data-perimeter RCP: a principal of another organization is denied even though the bucket policy allows it.",
           U_RCP, req(user(B_ALICE, B), ID_S3, rcps=[[RCP_FULL, org_deny]], context={"aws:PrincipalOrgID": "o-other00000", "aws:PrincipalIsAWSService": "false"},
                      resourcePolicy=pol(stmt(resource=OBJ, Principal={"AWS": B})), **xb), "explicitDeny"))
    add(ev(t, "deny-outside-org-inside", "The data-perimeter RCP: a principal of the same organization is not denied.",
           U_RCP, req(user(B_ALICE, B), ID_S3, rcps=[[RCP_FULL, org_deny]], context={"aws:PrincipalOrgID": "o-abcdef0123", "aws:PrincipalIsAWSService": "false"},
                      resourcePolicy=pol(stmt(resource=OBJ, Principal={"AWS": B})), **xb), "allowed"))
    add(ev(t, "deny-outside-org-service", "The data-perimeter RCP exempts AWS services (aws:PrincipalIsAWSService true).",
           U_RCP, req({"service": "cloudtrail.amazonaws.com"}, None, rcps=[[RCP_FULL, org_deny]], action="s3:PutObject",
                      context={"aws:PrincipalIsAWSService": "true"},
                      resourcePolicy=pol(stmt(action="s3:PutObject", resource=OBJ, Principal={"Service": "cloudtrail.amazonaws.com"}))), "allowed"))
    add(ev(t, "deny-other-action", "An RCP denying s3:DeleteObject does not affect s3:GetObject.",
           U_RCP, req(None, ID_S3, rcps=[[RCP_FULL, pol(stmt("Deny", action="s3:DeleteObject", Principal="*"))]]), "allowed"))
    add(ev(t, "deny-applies-same-account", "An RCP Deny applies to principals of the same account too.",
           U_RCP, req(None, ID_S3, rcps=[[RCP_FULL, pol(stmt("Deny", action="s3:GetObject", Principal="*"))]]), "explicitDeny"))
    add(ev(t, "deny-at-root-level", "An RCP Deny at the root level applies below it.",
           U_RCP_EVAL, req(None, ID_S3, rcps=[[RCP_FULL, pol(stmt("Deny", action="s3:*", Principal="*"))], [RCP_FULL]]), "explicitDeny"))
    add(ev(t, "rcp-and-scp", "SCPs and RCPs both allow, identity allows: allowed.",
           U_RCP_EVAL, req(None, ID_S3, rcps=[[RCP_FULL]], scps=[[FULL]]), "allowed"))
    add(ev(t, "rcp-limits-root", "RCPs apply to the root user as well: a Deny of s3:GetObject denies root.",
           U_RCP, req(user(f"arn:aws:iam::{A}:root"), None, rcps=[[RCP_FULL, pol(stmt("Deny", action="s3:GetObject", Principal="*"))]]), "explicitDeny"))
    return out


def cases():
    return boundary() + sessions() + scps() + rcps()
