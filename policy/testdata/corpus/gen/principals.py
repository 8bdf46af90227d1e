"""principal/ and crossaccount/: who a resource-based policy names, and when it is enough.

Rules used (evaluation-logic and Principal element pages):
  - same account: identity-based and resource-based allows are a union; a resource-based policy
    that names the user, the role or the role session grants on its own;
  - an account principal (the 12-digit id or arn:aws:iam::ACCOUNT:root) delegates to the account:
    identities there still need an identity-based policy that allows the request;
  - across accounts: the caller's identity-based policy and the resource's policy must both allow;
  - wildcards are not allowed inside a principal ARN: only "*" alone matches everyone.
"""

from lib import (A, ALICE, B, B_ALICE, B_ROLE, B_SESSION, BOB, C, ROLE, SESSION, U_EVAL, U_EVAL_CROSS, U_IDRES,
                 U_NOTPRINCIPAL, U_OIDC, U_PRINCIPAL, U_ROOT, U_SAML, U_TRUST, U_BOUNDARY, U_SCP,
                 ev, matched, pol, session, stmt, user)

OBJ = "arn:aws:s3:::amzn-s3-demo-bucket/k"
ROOT_A = f"arn:aws:iam::{A}:root"


def rp(principal, effect="Allow", action="s3:GetObject", resource=OBJ, sid="R", **extra):
    # A role trust policy is the role's resource-based policy and has no Resource element.
    if isinstance(action, str) and action.startswith("sts:AssumeRole"):
        resource = None
    return pol(stmt(effect, sid=sid, action=action, resource=resource, Principal=principal, **extra))


def req(principal, resource_policy=None, identity=None, action="s3:GetObject", resource=OBJ, **extra):
    r = {"action": action, "resource": resource, "principal": principal}
    if identity is not None:
        r["identityPolicies"] = identity
    if resource_policy is not None:
        r["resourcePolicy"] = resource_policy
    r.update(extra)
    return r


ID_ALLOW = [pol(stmt(sid="I"))]


def principal():
    t = "principal"
    out = []
    add = out.append
    add(ev(t, "star-anyone", "Principal \"*\" in a resource-based policy matches every principal; it grants on its own.",
           U_PRINCIPAL, req(user(), rp("*")), "allowed", matched(("resourcePolicy", "R", "Allow"))))
    add(ev(t, "aws-star-anyone", "Principal {\"AWS\": \"*\"} matches every AWS principal.", U_PRINCIPAL, req(user(), rp({"AWS": "*"})), "allowed"))
    add(ev(t, "user-arn-same-user", "A resource-based policy naming alice's user ARN allows alice without any identity-based policy (same account).",
           U_PRINCIPAL, req(user(), rp({"AWS": ALICE})), "allowed", matched(("resourcePolicy", "R", "Allow"))))
    add(ev(t, "user-arn-other-user", "A resource-based policy naming alice does not match bob.", U_PRINCIPAL,
           req(user(BOB), rp({"AWS": ALICE})), "implicitDeny", []))
    add(ev(t, "user-arn-list", "Principal AWS may be a list; bob is its second entry.", U_PRINCIPAL,
           req(user(BOB), rp({"AWS": [ALICE, BOB]})), "allowed"))
    add(ev(t, "user-arn-wildcard-not-supported",
           "Wildcards cannot match part of a principal ARN; IAM rejects such a principal when the policy is written.",
           U_PRINCIPAL, req(user(), rp({"AWS": f"arn:aws:iam::{A}:user/ali*"})),
           error=f'Invalid principal in policy: "AWS":"arn:aws:iam::{A}:user/ali*"',
           note="message: inferred (the form IAM reports for principals it rejects; the page documents the rule only)"))
    add(ev(t, "account-id-needs-identity-policy",
           "Principal naming the account id delegates to the account: alice still needs an identity-based policy, and has none.",
           U_PRINCIPAL, req(user(), rp({"AWS": A})), "implicitDeny"))
    add(ev(t, "account-id-with-identity-policy",
           "Principal naming the account id plus an identity-based Allow for alice: allowed.",
           U_PRINCIPAL, req(user(), rp({"AWS": A}), ID_ALLOW), "allowed"))
    add(ev(t, "account-root-needs-identity-policy",
           "arn:aws:iam::ACCOUNT:root as principal means the account, not only the root user: alice still needs an identity-based Allow.",
           U_PRINCIPAL, req(user(), rp({"AWS": ROOT_A})), "implicitDeny"))
    add(ev(t, "account-root-with-identity-policy",
           "Principal arn:aws:iam::ACCOUNT:root plus an identity-based Allow for alice: allowed.",
           U_PRINCIPAL, req(user(), rp({"AWS": ROOT_A}), ID_ALLOW), "allowed"))
    add(ev(t, "account-root-deny-applies-to-users",
           "A Deny naming arn:aws:iam::ACCOUNT:root applies to every principal of that account, including alice.",
           U_PRINCIPAL, req(user(), rp({"AWS": ROOT_A}, effect="Deny"), ID_ALLOW), "explicitDeny"))
    add(ev(t, "role-arn-session", "A resource-based policy naming the role ARN matches sessions of that role (same account, no gates).",
           U_PRINCIPAL, req(session(), rp({"AWS": ROLE})), "allowed"))
    add(ev(t, "role-arn-other-role-session", "A policy naming role R does not match a session of role Other.", U_PRINCIPAL,
           req(session(f"arn:aws:sts::{A}:assumed-role/Other/sess", f"arn:aws:iam::{A}:role/Other"), rp({"AWS": ROLE})), "implicitDeny"))
    add(ev(t, "role-arn-with-path", "A role with a path is named by its full ARN including the path; the session ARN carries no path.",
           U_PRINCIPAL, req(session(f"arn:aws:sts::{A}:assumed-role/R/sess", f"arn:aws:iam::{A}:role/team/R"),
                            rp({"AWS": f"arn:aws:iam::{A}:role/team/R"})), "allowed"))
    add(ev(t, "session-arn-exact", "A resource-based policy naming the role-session ARN matches that session.", U_PRINCIPAL,
           req(session(), rp({"AWS": SESSION})), "allowed"))
    add(ev(t, "session-arn-other-session", "A policy naming session 'sess' does not match session 'other' of the same role.", U_PRINCIPAL,
           req(session(f"arn:aws:sts::{A}:assumed-role/R/other"), rp({"AWS": SESSION})), "implicitDeny"))
    add(ev(t, "user-arn-does-not-match-role", "Naming user alice does not match a role session, even one named alice.", U_PRINCIPAL,
           req(session(f"arn:aws:sts::{A}:assumed-role/R/alice"), rp({"AWS": ALICE})), "implicitDeny"))
    add(ev(t, "service-principal", "Principal {\"Service\": \"ec2.amazonaws.com\"} matches a request from the EC2 service.", U_PRINCIPAL,
           req({"service": "ec2.amazonaws.com"}, rp({"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole", resource=ROLE),
               action="sts:AssumeRole", resource=ROLE), "allowed"))
    add(ev(t, "service-principal-other", "Principal Service ec2.amazonaws.com does not match lambda.amazonaws.com.", U_PRINCIPAL,
           req({"service": "lambda.amazonaws.com"}, rp({"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole", resource=ROLE),
               action="sts:AssumeRole", resource=ROLE), "implicitDeny"))
    add(ev(t, "service-principal-list", "Principal Service may list several services.", U_PRINCIPAL,
           req({"service": "lambda.amazonaws.com"}, rp({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, action="sts:AssumeRole", resource=ROLE),
               action="sts:AssumeRole", resource=ROLE), "allowed"))
    add(ev(t, "service-principal-not-user", "Principal Service does not match an IAM user.", U_PRINCIPAL,
           req(user(), rp({"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole", resource=ROLE), action="sts:AssumeRole", resource=ROLE),
           "implicitDeny"))
    add(ev(t, "star-matches-service", "Principal \"*\" matches a service principal too.", U_PRINCIPAL,
           req({"service": "sns.amazonaws.com"}, rp("*")), "allowed"))
    oidc = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    trust_oidc = rp({"Federated": oidc}, action="sts:AssumeRoleWithWebIdentity", resource=ROLE)
    add(ev(t, "federated-oidc", "A trust policy with Principal Federated naming the OIDC provider matches a web-identity caller of that provider.",
           U_OIDC, req({"federated": oidc}, trust_oidc, action="sts:AssumeRoleWithWebIdentity", resource=ROLE), "allowed"))
    add(ev(t, "federated-oidc-other-provider", "Principal Federated names one OIDC provider; a token from another provider does not match.",
           U_OIDC, req({"federated": f"arn:aws:iam::{A}:oidc-provider/example.com"}, trust_oidc,
                       action="sts:AssumeRoleWithWebIdentity", resource=ROLE), "implicitDeny"))
    cond_trust = rp({"Federated": oidc}, action="sts:AssumeRoleWithWebIdentity", resource=ROLE,
                    Condition={"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                               "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"}})
    add(ev(t, "federated-oidc-sub-condition", "Federated trust with aud and sub conditions (documented GitHub pattern): both hold.",
           U_OIDC, req({"federated": oidc}, cond_trust, action="sts:AssumeRoleWithWebIdentity", resource=ROLE,
                       context={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}), "allowed"))
    add(ev(t, "federated-oidc-sub-condition-other-repo", "Federated trust with a sub condition: a token for another repository does not match.",
           U_OIDC, req({"federated": oidc}, cond_trust, action="sts:AssumeRoleWithWebIdentity", resource=ROLE,
                       context={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "token.actions.githubusercontent.com:sub": "repo:evil-org/octo-repo:ref:refs/heads/main"}), "implicitDeny"))
    saml = f"arn:aws:iam::{A}:saml-provider/ExampleOrgSSOProvider"
    saml_trust = rp({"Federated": saml}, action="sts:AssumeRoleWithSAML", resource=ROLE,
                    Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})
    add(ev(t, "federated-saml", "A SAML trust policy (documented form) with SAML:aud: the assertion's audience is the AWS sign-in endpoint.",
           U_SAML, req({"federated": saml}, saml_trust, action="sts:AssumeRoleWithSAML", resource=ROLE,
                       context={"saml:aud": "https://signin.aws.amazon.com/saml"}), "allowed"))
    add(ev(t, "federated-not-aws-user", "Principal Federated does not match an IAM user calling sts:AssumeRole.", U_PRINCIPAL,
           req(user(), rp({"Federated": saml}, action="sts:AssumeRole", resource=ROLE), action="sts:AssumeRole", resource=ROLE), "implicitDeny"))
    # NotPrincipal: the page's examples protect a resource in another account than the one named.
    xa = dict(resourceAccount=A)
    b_bob = f"arn:aws:iam::{B}:user/Bob"
    np = pol(stmt("Deny", sid="D", action="s3:*", resource=["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
                  NotPrincipal={"AWS": [b_bob, f"arn:aws:iam::{B}:root"]}),
             stmt(sid="A", resource="arn:aws:s3:::amzn-s3-demo-bucket/*", Principal={"AWS": B}))
    add(ev(t, "notprincipal-deny-others",
           "Deny with NotPrincipal [Bob of B, account B] (the page's example): every principal except Bob is denied, so alice of B is.",
           U_NOTPRINCIPAL, req(user(B_ALICE, B), np, ID_ALLOW, **xa), "explicitDeny"))
    add(ev(t, "notprincipal-deny-exempt",
           "Deny with NotPrincipal [Bob of B, account B]: Bob is exempt; the Allow naming account B and his identity-based policy apply.",
           U_NOTPRINCIPAL, req(user(b_bob, B), np, ID_ALLOW, **xa), "allowed"))
    add(ev(t, "notprincipal-deny-other-account",
           "Deny with NotPrincipal [Bob of B, account B]: a principal of account C is denied (and nothing allows it anyway).",
           U_NOTPRINCIPAL, req(user(f"arn:aws:iam::{C}:user/Bob", C), np, ID_ALLOW, **xa), "explicitDeny"))
    b_audit = f"arn:aws:sts::{B}:assumed-role/cross-account-read-only-role/cross-account-audit-app"
    b_audit_role = f"arn:aws:iam::{B}:role/cross-account-read-only-role"
    np_role = pol(stmt("Deny", action="s3:*", resource="*", NotPrincipal={"AWS": [b_audit, b_audit_role, f"arn:aws:iam::{B}:root"]}),
                  stmt(resource="*", Principal={"AWS": b_audit_role}))
    add(ev(t, "notprincipal-deny-role-session-exempt",
           "Deny with NotPrincipal listing the session ARN, the role ARN and the account (the page's role example): that session is exempt.",
           U_NOTPRINCIPAL, req(session(b_audit, b_audit_role, B), np_role, ID_ALLOW, **xa), "allowed"))
    add(ev(t, "notprincipal-deny-other-session",
           "Deny with NotPrincipal naming one session: another session of the same role is not named, so it is denied.",
           U_NOTPRINCIPAL, req(session(f"arn:aws:sts::{B}:assumed-role/cross-account-read-only-role/other", b_audit_role, B), np_role, ID_ALLOW, **xa),
           "explicitDeny"))
    add(ev(t, "notprincipal-deny-with-boundary",
           "The permissions-boundary page warns that a Deny with NotPrincipal always denies a principal that has a permissions boundary, "
           "whatever NotPrincipal lists: Bob is listed but has a boundary, so he is denied.",
           U_BOUNDARY, req(user(b_bob, B), np, [pol(stmt(action="s3:*"))], permissionsBoundary=pol(stmt(action="s3:*")), **xa), "explicitDeny"))
    # root user
    add(ev(t, "root-user-full-access", "The root user of the account has full access to its resources without any policy.",
           U_ROOT, req(user(ROOT_A)), "allowed"))
    add(ev(t, "root-user-resource-deny", "An explicit Deny in a resource-based policy naming the account applies to the root user too.",
           U_ROOT, req(user(ROOT_A), rp({"AWS": ROOT_A}, effect="Deny")), "explicitDeny"))
    add(ev(t, "root-user-scp-limits", "SCPs limit the root user of a member account: the SCP chain does not allow s3, so root is denied.",
           U_SCP, req(user(ROOT_A), scps=[[pol(stmt(action="*"))], [pol(stmt(action="ec2:*"))]]), "implicitDeny"))
    add(ev(t, "root-user-scp-allows", "The root user under SCPs that allow the action: allowed.",
           U_SCP, req(user(ROOT_A), scps=[[pol(stmt(action="*"))], [pol(stmt(action="s3:*"))]]), "allowed"))
    return out


def crossaccount():
    t = "crossaccount"
    out = []
    add = out.append
    xb = dict(resourceAccount=A)
    alice_b = user(B_ALICE, B)
    add(ev(t, "identity-only", "Cross-account: alice of account B has an identity-based Allow but the resource in A has no policy: denied.",
           U_EVAL_CROSS, req(alice_b, None, ID_ALLOW, **xb), "implicitDeny"))
    add(ev(t, "resource-only", "Cross-account: the resource policy in A names alice of B, but B's identity-based policy does not allow: denied.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B_ALICE}), **xb), "implicitDeny"))
    add(ev(t, "both-allow", "Cross-account: the resource policy names alice of B and her identity-based policy allows: allowed.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B_ALICE}), ID_ALLOW, **xb), "allowed",
           matched(("identityPolicies[0]", "I", "Allow"), ("resourcePolicy", "R", "Allow"))))
    add(ev(t, "account-id-principal", "Cross-account: the resource policy names account B by id; alice of B has an identity-based Allow.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B}), ID_ALLOW, **xb), "allowed"))
    add(ev(t, "account-root-principal", "Cross-account: the resource policy names arn:aws:iam::B:root; alice of B has an identity-based Allow.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": f"arn:aws:iam::{B}:root"}), ID_ALLOW, **xb), "allowed"))
    add(ev(t, "other-account-principal", "Cross-account: the resource policy trusts account C, not B: alice of B is denied.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": C}), ID_ALLOW, **xb), "implicitDeny"))
    add(ev(t, "star-principal", "Cross-account: Principal \"*\" plus alice's identity-based Allow: allowed.",
           U_EVAL_CROSS, req(alice_b, rp("*"), ID_ALLOW, **xb), "allowed"))
    add(ev(t, "star-principal-no-identity", "Cross-account: Principal \"*\" alone does not suffice; B's identity-based policy must allow too.",
           U_EVAL_CROSS, req(alice_b, rp("*"), **xb), "implicitDeny"))
    add(ev(t, "identity-deny", "Cross-account: an identity-based Deny in B overrides the resource policy's Allow.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B}), [pol(stmt(sid="I")), pol(stmt("Deny", sid="D"))], **xb), "explicitDeny"))
    add(ev(t, "resource-deny", "Cross-account: a resource-based Deny in A overrides B's identity-based Allow.",
           U_EVAL_CROSS, req(alice_b, pol(stmt(sid="R", resource=OBJ, Principal={"AWS": B}),
                                         stmt("Deny", sid="RD", resource=OBJ, Principal={"AWS": B_ALICE})), ID_ALLOW, **xb), "explicitDeny"))
    add(ev(t, "identity-other-action", "Cross-account: the identity-based policy allows another action only: denied.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B}), [pol(stmt(action="s3:PutObject"))], **xb), "implicitDeny"))
    add(ev(t, "role-session-role-arn", "Cross-account: a session of role R in B, named by its role ARN in A's policy, with the role's Allow.",
           U_EVAL_CROSS, req(session(B_SESSION, B_ROLE, B), rp({"AWS": B_ROLE}), ID_ALLOW, **xb), "allowed"))
    add(ev(t, "role-session-no-identity", "Cross-account: the role session is named by A's policy but the role's identity-based policy allows nothing.",
           U_EVAL_CROSS, req(session(B_SESSION, B_ROLE, B), rp({"AWS": B_ROLE}), **xb), "implicitDeny"))
    add(ev(t, "boundary-limits", "Cross-account: alice of B has a permissions boundary that does not allow s3: denied even with both policies.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B_ALICE}), ID_ALLOW, permissionsBoundary=pol(stmt(action="ec2:*")), **xb), "implicitDeny"))
    add(ev(t, "scp-limits", "Cross-account: an SCP on B that does not allow s3 denies alice even with both policies.",
           U_EVAL_CROSS, req(alice_b, rp({"AWS": B_ALICE}), ID_ALLOW, scps=[[pol(stmt(action="ec2:*"))]], **xb), "implicitDeny"))
    add(ev(t, "root-of-other-account", "Cross-account: the root user of B needs no identity-based policy in B; A's policy names account B.",
           U_EVAL_CROSS, req(user(f"arn:aws:iam::{B}:root", B), rp({"AWS": B}), **xb), "allowed"))
    add(ev(t, "root-of-other-account-no-resource-policy", "Cross-account: the root user of B has no access to A's resource without A's policy.",
           U_EVAL_CROSS, req(user(f"arn:aws:iam::{B}:root", B), **xb), "implicitDeny"))
    add(ev(t, "resource-account-same-explicit", "resourceAccount equal to the principal's account is same-account: the resource policy alone grants.",
           U_EVAL, req(user(), rp({"AWS": ALICE}), resourceAccount=A), "allowed"))
    # same-account contrasts
    add(ev(t, "same-account-resource-only", "Same account: a resource-based policy naming the user grants without an identity-based policy.",
           U_IDRES, req(user(), rp({"AWS": ALICE})), "allowed"))
    add(ev(t, "same-account-identity-only", "Same account: an identity-based Allow grants without a resource-based policy.",
           U_IDRES, req(user(), None, ID_ALLOW), "allowed"))
    add(ev(t, "same-account-union", "Same account: identity allows PutObject, the resource policy allows GetObject for alice; GetObject is allowed.",
           U_IDRES, req(user(), rp({"AWS": ALICE}), [pol(stmt(action="s3:PutObject"))]), "allowed"))
    # trust policies: sts:AssumeRole on the role ARN
    tr = lambda p: rp(p, action="sts:AssumeRole", resource=ROLE)
    ar = dict(action="sts:AssumeRole", resource=ROLE)
    add(ev(t, "trust-same-account-user", "Same account: a trust policy naming the user lets her assume the role without an identity-based policy.",
           U_TRUST, req(user(), tr({"AWS": ALICE}), **ar), "allowed"))
    add(ev(t, "trust-same-account-root-needs-identity",
           "Same account: a trust policy naming the account (root) requires the caller's identity-based policy to allow sts:AssumeRole.",
           U_TRUST, req(user(), tr({"AWS": ROOT_A}), **ar), "implicitDeny"))
    add(ev(t, "trust-same-account-root-with-identity",
           "Same account: trust names the account and alice's identity-based policy allows sts:AssumeRole on the role.",
           U_TRUST, req(user(), tr({"AWS": ROOT_A}), [pol(stmt(action="sts:AssumeRole", resource=ROLE))], **ar), "allowed"))
    add(ev(t, "trust-cross-account-with-identity",
           "Cross-account: the role's trust policy names account B and alice of B is allowed sts:AssumeRole by her identity-based policy.",
           U_TRUST, req(alice_b, tr({"AWS": B}), [pol(stmt(action="sts:AssumeRole", resource=ROLE))], resourceAccount=A, **ar), "allowed"))
    add(ev(t, "trust-cross-account-no-identity",
           "Cross-account: the trust policy names alice of B but her identity-based policy does not allow sts:AssumeRole.",
           U_TRUST, req(alice_b, tr({"AWS": B_ALICE}), resourceAccount=A, **ar), "implicitDeny"))
    add(ev(t, "trust-external-id", "Cross-account trust with the documented sts:ExternalId condition: the caller passes the right id.",
           U_TRUST, req(alice_b, rp({"AWS": B}, action="sts:AssumeRole", resource=ROLE, Condition={"StringEquals": {"sts:ExternalId": "Unique-1234"}}),
                        [pol(stmt(action="sts:AssumeRole", resource=ROLE))], resourceAccount=A, context={"sts:ExternalId": "Unique-1234"}, **ar),
           "allowed"))
    add(ev(t, "trust-external-id-missing", "Cross-account trust with sts:ExternalId: a caller without an external id does not match.",
           U_TRUST, req(alice_b, rp({"AWS": B}, action="sts:AssumeRole", resource=ROLE, Condition={"StringEquals": {"sts:ExternalId": "Unique-1234"}}),
                        [pol(stmt(action="sts:AssumeRole", resource=ROLE))], resourceAccount=A, context={}, **ar),
           "implicitDeny", missing=["sts:ExternalId"]))
    return out


def cases():
    return principal() + crossaccount()
