"""variables/ and sets/: policy variables, and ForAllValues / ForAnyValue on multivalued keys."""

from lib import (A, ALICE, SESSION, ROLE, U_SETS, U_VARS, U_VERSION, ev, pol, session, stmt, user)

BKT = "arn:aws:s3:::amzn-s3-demo-bucket"


def req(principal=None, identity=None, action="s3:GetObject", resource=BKT + "/k", context=None, **extra):
    r = {"action": action, "resource": resource, "principal": principal or user()}
    if context is not None:
        r["context"] = context
    if identity is not None:
        r["identityPolicies"] = identity
    r.update(extra)
    return r


def variables():
    t = "variables"
    out = []
    add = out.append
    home = [pol(stmt(resource=BKT + "/home/${aws:username}/*"))]
    add(ev(t, "username-own-home", "${aws:username} in Resource resolves to alice: her own home prefix is allowed.",
           U_VARS, req(None, home, resource=BKT + "/home/alice/f.txt", context={"aws:username": "alice"}), "allowed"))
    add(ev(t, "username-other-home", "${aws:username} resolves to alice: bob's home prefix does not match.",
           U_VARS, req(None, home, resource=BKT + "/home/bob/f.txt", context={"aws:username": "alice"}), "implicitDeny"))
    add(ev(t, "username-absent-for-role", "A role session has no aws:username: the variable cannot be resolved and the Resource does not match.",
           U_VARS, req(session(), home, resource=BKT + "/home/sess/f.txt", context={}), "implicitDeny"))
    add(ev(t, "username-literal-dollar-resource", "With aws:username absent, the literal text ${aws:username} in a resource name is not matched either.",
           U_VARS, req(session(), home, resource=BKT + "/home/${aws:username}/f.txt", context={}), "implicitDeny"))
    add(ev(t, "iam-own-user", "The documented pattern arn:aws:iam::ACCOUNT:user/${aws:username}: alice may change her own password.",
           U_VARS, req(None, [pol(stmt(action="iam:ChangePassword", resource=f"arn:aws:iam::{A}:user/${{aws:username}}"))],
                       action="iam:ChangePassword", resource=ALICE, context={"aws:username": "alice"}), "allowed"))
    add(ev(t, "iam-other-user", "arn:aws:iam::ACCOUNT:user/${aws:username}: alice may not act on bob.",
           U_VARS, req(None, [pol(stmt(action="iam:ChangePassword", resource=f"arn:aws:iam::{A}:user/${{aws:username}}"))],
                       action="iam:ChangePassword", resource=f"arn:aws:iam::{A}:user/bob", context={"aws:username": "alice"}), "implicitDeny"))
    tagged = [pol(stmt(resource="arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team}/*"))]
    add(ev(t, "principal-tag", "${aws:PrincipalTag/team} resolves from the principal's tag team=yellow.",
           U_VARS, req(None, tagged, resource="arn:aws:s3:::amzn-s3-demo-bucket-yellow/k", context={"aws:PrincipalTag/team": "yellow"}), "allowed"))
    add(ev(t, "principal-tag-other", "${aws:PrincipalTag/team} resolves to yellow; the blue bucket does not match.",
           U_VARS, req(None, tagged, resource="arn:aws:s3:::amzn-s3-demo-bucket-blue/k", context={"aws:PrincipalTag/team": "yellow"}), "implicitDeny"))
    add(ev(t, "principal-tag-absent", "An untagged principal: ${aws:PrincipalTag/team} has no value and the Resource does not match.",
           U_VARS, req(None, tagged, resource="arn:aws:s3:::amzn-s3-demo-bucket-yellow/k", context={}), "implicitDeny"))
    dflt = [pol(stmt(resource="arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}/*"))]
    add(ev(t, "default-value-used", "Default value (documented example): without a team tag the variable becomes 'company-wide'.",
           U_VARS, req(None, dflt, resource="arn:aws:s3:::amzn-s3-demo-bucket-company-wide/k", context={}), "allowed"))
    add(ev(t, "default-value-not-other", "Default value: without a team tag the yellow bucket does not match.",
           U_VARS, req(None, dflt, resource="arn:aws:s3:::amzn-s3-demo-bucket-yellow/k", context={}), "implicitDeny"))
    add(ev(t, "default-value-tag-wins", "Default value: with team=yellow the tag value is used.",
           U_VARS, req(None, dflt, resource="arn:aws:s3:::amzn-s3-demo-bucket-yellow/k", context={"aws:PrincipalTag/team": "yellow"}), "allowed"))
    add(ev(t, "default-value-tag-wins-not-default", "Default value: with team=yellow the default bucket no longer matches.",
           U_VARS, req(None, dflt, resource="arn:aws:s3:::amzn-s3-demo-bucket-company-wide/k", context={"aws:PrincipalTag/team": "yellow"}),
           "implicitDeny"))
    abac = [pol(stmt(action="ec2:StartInstances", Condition={"StringEquals": {"aws:ResourceTag/project": "${aws:PrincipalTag/project}"}}))]
    add(ev(t, "condition-value-abac", "A variable in a condition value (ABAC): resource tag project equals the principal's project tag.",
           U_VARS, req(None, abac, action="ec2:StartInstances", resource="*",
                       context={"aws:ResourceTag/project": "apollo", "aws:PrincipalTag/project": "apollo"}), "allowed"))
    add(ev(t, "condition-value-abac-differs", "ABAC with a variable: the resource's project differs from the principal's.",
           U_VARS, req(None, abac, action="ec2:StartInstances", resource="*",
                       context={"aws:ResourceTag/project": "gemini", "aws:PrincipalTag/project": "apollo"}), "implicitDeny"))
    add(ev(t, "condition-value-abac-unresolved", "ABAC with a variable: the principal has no project tag, so the variable is unresolved and nothing matches.",
           U_VARS, req(None, abac, action="ec2:StartInstances", resource="*", context={"aws:ResourceTag/project": "apollo"}), "implicitDeny"))
    prefix = [pol(stmt(action="s3:ListBucket", resource=BKT, Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}))]
    add(ev(t, "stringlike-prefix-own", "The documented home-folder ListBucket policy: prefix home/alice/docs matches home/${aws:username}/*.",
           U_VARS, req(None, prefix, action="s3:ListBucket", resource=BKT, context={"aws:username": "alice", "s3:prefix": "home/alice/docs"}), "allowed"))
    add(ev(t, "stringlike-prefix-other", "The home-folder ListBucket policy: prefix home/bob/ is not alice's.",
           U_VARS, req(None, prefix, action="s3:ListBucket", resource=BKT, context={"aws:username": "alice", "s3:prefix": "home/bob/"}), "implicitDeny"))
    add(ev(t, "stringlike-prefix-root", "The home-folder ListBucket policy: the empty prefix (bucket root) is listed explicitly.",
           U_VARS, req(None, prefix, action="s3:ListBucket", resource=BKT, context={"aws:username": "alice", "s3:prefix": ""}), "allowed"))
    lit = [pol(stmt(resource=BKT + "/${*}"))]
    add(ev(t, "special-star-literal", "${*} stands for a literal * character: the object named * matches.",
           U_VARS, req(None, lit, resource=BKT + "/*"), "allowed"))
    add(ev(t, "special-star-not-wildcard", "${*} is a literal *, not a wildcard: the object named x does not match.",
           U_VARS, req(None, lit, resource=BKT + "/x"), "implicitDeny"))
    q = [pol(stmt(resource=BKT + "/file${?}"))]
    add(ev(t, "special-question-literal", "${?} stands for a literal ? character: the object named file? matches.",
           U_VARS, req(None, q, resource=BKT + "/file?"), "allowed"))
    add(ev(t, "special-question-not-wildcard", "${?} is a literal ?, not a wildcard: file1 does not match.",
           U_VARS, req(None, q, resource=BKT + "/file1"), "implicitDeny"))
    d = [pol(stmt(resource=BKT + "/${$}price"))]
    add(ev(t, "special-dollar-literal", "${$} stands for a literal $ character: the object named $price matches.",
           U_VARS, req(None, d, resource=BKT + "/$price"), "allowed"))
    sub = [pol(stmt(resource=BKT + "/${aws:PrincipalTag/team}/*"))]
    add(ev(t, "substituted-star-is-literal", "A value substituted from the request is literal: with team=* the resource pattern needs a folder named *.",
           U_VARS, req(None, sub, resource=BKT + "/*/f", context={"aws:PrincipalTag/team": "*"}), "allowed"))
    add(ev(t, "substituted-star-not-wildcard", "A substituted * is not a wildcard: with team=* the folder blue does not match.",
           U_VARS, req(None, sub, resource=BKT + "/blue/f", context={"aws:PrincipalTag/team": "*"}), "implicitDeny"))
    sl = [pol(stmt(action="s3:ListBucket", resource=BKT, Condition={"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}"}}))]
    add(ev(t, "substituted-star-in-stringlike", "A substituted * inside StringLike is still literal: team=* does not match prefix abc.",
           U_VARS, req(None, sl, action="s3:ListBucket", resource=BKT, context={"aws:PrincipalTag/team": "*", "s3:prefix": "abc"}), "implicitDeny"))
    two = [pol(stmt(resource=BKT + "/${aws:PrincipalTag/team}/${aws:username}/*"))]
    add(ev(t, "two-variables", "Two variables in one Resource both resolve.",
           U_VARS, req(None, two, resource=BKT + "/blue/alice/x", context={"aws:PrincipalTag/team": "blue", "aws:username": "alice"}), "allowed"))
    add(ev(t, "userid-role-session", "${aws:userid} for a role session is ROLEID:session-name.",
           U_VARS, req(session(), [pol(stmt(resource=BKT + "/${aws:userid}/*"))], resource=BKT + "/AROAEXAMPLEID:sess/x",
                       context={"aws:userid": "AROAEXAMPLEID:sess"}), "allowed"))
    add(ev(t, "saml-sub", "${saml:sub} for a SAML-federated role session.",
           U_VARS, req(session(), [pol(stmt(resource=BKT + "/${saml:sub}/*"))], resource=BKT + "/jdoe/x", context={"saml:sub": "jdoe"}), "allowed"))
    add(ev(t, "unresolved-in-deny", "A Deny whose Resource uses an unresolved variable does not match, so it does not deny.",
           U_VARS, req(session(), [pol(stmt(action="s3:*"), stmt("Deny", resource=BKT + "/home/${aws:username}/*"))],
                       resource=BKT + "/home/x/f", context={}), "allowed"))
    # Version 2008-10-17 and no Version: variables are plain text. Use a bucket policy (resource-based, accepts 2008-10-17).
    for vname, ver in (("version-2008", "2008-10-17"), ("no-version", None)):
        rp = pol(stmt(resource=BKT + "/${aws:username}", Principal={"AWS": ALICE}), version=ver)
        vtext = "Version 2008-10-17" if ver else "no Version element (defaults to 2008-10-17)"
        add(ev(t, f"{vname}-not-substituted", f"With {vtext} ${{aws:username}} is not a variable: it does not become alice.",
               U_VERSION, req(None, None, resource=BKT + "/alice", context={"aws:username": "alice"}, resourcePolicy=rp), "implicitDeny"))
        add(ev(t, f"{vname}-literal-text", f"With {vtext} ${{aws:username}} is literal text, matched as such.",
               U_VERSION, req(None, None, resource=BKT + "/${aws:username}", context={"aws:username": "alice"}, resourcePolicy=rp), "allowed"))
    return out


def sets():
    t = "sets"
    out = []
    add = out.append
    K = "aws:TagKeys"
    allv = {"ForAllValues:StringEquals": {K: ["environment", "cost-center"]}}
    anyv = {"ForAnyValue:StringEquals": {K: ["environment", "cost-center"]}}

    def r(cond, ctx, action="ec2:CreateTags"):
        return req(None, [pol(stmt(action=action, Condition=cond))], action=action, resource="*", context=ctx)

    for name, vals, dec, what in (
        ("forall-subset", ["environment"], "allowed", "every request value is in the policy set"),
        ("forall-equal", ["environment", "cost-center"], "allowed", "both request values are in the policy set"),
        ("forall-one-outside", ["environment", "dept"], "implicitDeny", "dept is not in the policy set"),
        ("forall-empty", [], "allowed", "an empty set of request values: ForAllValues is true"),
        ("forall-all-outside", ["dept", "owner"], "implicitDeny", "no request value is in the policy set"),
    ):
        add(ev(t, name, f"ForAllValues:StringEquals aws:TagKeys [environment, cost-center] against {vals}: {what}.", U_SETS, r(allv, {K: vals}), dec))
    add(ev(t, "forall-absent", "ForAllValues returns true when the key is absent from the request: the Allow applies (why the pages advise a Null check).",
           U_SETS, r(allv, {}), "allowed"))
    for name, vals, dec, what in (
        ("forany-one-inside", ["environment"], "allowed", "environment is in the policy set"),
        ("forany-one-of-two", ["dept", "cost-center"], "allowed", "cost-center is in the policy set"),
        ("forany-none", ["dept"], "implicitDeny", "no request value is in the policy set"),
        ("forany-empty", [], "implicitDeny", "an empty set has no value that matches"),
    ):
        add(ev(t, name, f"ForAnyValue:StringEquals aws:TagKeys [environment, cost-center] against {vals}: {what}.", U_SETS, r(anyv, {K: vals}), dec))
    add(ev(t, "forany-absent", "ForAnyValue is false when the key is absent from the request.", U_SETS, r(anyv, {}), "implicitDeny", missing=[K]))
    guard = {"ForAllValues:StringEquals": {K: ["environment", "cost-center"]}, "Null": {K: "false"}}
    add(ev(t, "forall-with-null-guard-absent", "ForAllValues plus Null false (documented guard): with the key absent the Null check fails.",
           U_SETS, r(guard, {}), "implicitDeny"))
    add(ev(t, "forall-with-null-guard-present", "ForAllValues plus Null false: with allowed tag keys present, allowed.",
           U_SETS, r(guard, {K: ["cost-center"]}), "allowed"))
    like = {"ForAllValues:StringLike": {K: ["env*", "cost-*"]}}
    add(ev(t, "forall-stringlike", "ForAllValues:StringLike: every tag key matches one of the patterns.", U_SETS, r(like, {K: ["env1", "cost-center"]}), "allowed"))
    add(ev(t, "forall-stringlike-one-outside", "ForAllValues:StringLike: owner matches no pattern.", U_SETS, r(like, {K: ["env1", "owner"]}), "implicitDeny"))
    add(ev(t, "forany-stringlike", "ForAnyValue:StringLike: one tag key matches dept*.", U_SETS,
           r({"ForAnyValue:StringLike": {K: "dept*"}}, {K: ["x", "dept-finance"]}), "allowed"))
    add(ev(t, "forany-ignorecase", "ForAnyValue:StringEqualsIgnoreCase: ENVIRONMENT equals Environment ignoring case.", U_SETS,
           r({"ForAnyValue:StringEqualsIgnoreCase": {K: "Environment"}}, {K: ["ENVIRONMENT"]}), "allowed"))
    add(ev(t, "forall-case-sensitive", "ForAllValues:StringEquals is case-sensitive: Environment is not environment.", U_SETS,
           r(allv, {K: ["Environment"]}), "implicitDeny"))
    nall = {"ForAllValues:StringNotEquals": {K: ["secret"]}}
    add(ev(t, "forall-notequals-clean", "ForAllValues:StringNotEquals [secret]: no request value is secret.", U_SETS, r(nall, {K: ["a", "b"]}), "allowed"))
    add(ev(t, "forall-notequals-hit", "ForAllValues:StringNotEquals [secret]: one request value is secret.", U_SETS, r(nall, {K: ["a", "secret"]}), "implicitDeny"))
    add(ev(t, "forall-notequals-absent", "ForAllValues:StringNotEquals with the key absent: true.", U_SETS, r(nall, {}), "allowed"))
    nany = {"ForAnyValue:StringNotEquals": {K: ["a"]}}
    add(ev(t, "forany-notequals-some-other", "ForAnyValue:StringNotEquals [a]: b differs from a, so some value is not equal.", U_SETS, r(nany, {K: ["a", "b"]}), "allowed"))
    add(ev(t, "forany-notequals-only-a", "ForAnyValue:StringNotEquals [a]: the only value is a.", U_SETS, r(nany, {K: ["a"]}), "implicitDeny"))
    add(ev(t, "forany-notequals-absent", "ForAnyValue:StringNotEquals with the key absent: false.", U_SETS, r(nany, {}), "implicitDeny"))
    deny = [pol(stmt(action="ec2:CreateTags"), stmt("Deny", action="ec2:CreateTags", Condition={"ForAnyValue:StringEquals": {K: ["secret", "admin"]}}))]
    add(ev(t, "deny-forany-hit", "Deny with ForAnyValue:StringEquals [secret, admin]: the request adds tag key admin, so it is denied.",
           U_SETS, req(None, deny, action="ec2:CreateTags", resource="*", context={K: ["owner", "admin"]}), "explicitDeny"))
    add(ev(t, "deny-forany-miss", "Deny with ForAnyValue:StringEquals [secret, admin]: tag keys owner and env are fine.",
           U_SETS, req(None, deny, action="ec2:CreateTags", resource="*", context={K: ["owner", "env"]}), "allowed"))
    add(ev(t, "forall-ifexists-absent", "ForAllValues:StringEqualsIfExists with the key absent: true.", U_SETS,
           r({"ForAllValues:StringEqualsIfExists": {K: ["environment"]}}, {}), "allowed"))
    add(ev(t, "forall-ifexists-present-outside", "ForAllValues:StringEqualsIfExists with a value outside the set: false.", U_SETS,
           r({"ForAllValues:StringEqualsIfExists": {K: ["environment"]}}, {K: ["environment", "x"]}), "implicitDeny"))
    add(ev(t, "forany-single-value-policy", "ForAnyValue with a single policy value (not a list) behaves as a one-element set.", U_SETS,
           r({"ForAnyValue:StringEquals": {K: "environment"}}, {K: ["owner", "environment"]}), "allowed"))
    add(ev(t, "forall-arnlike", "ForAllValues:ArnLike on a multivalued key of ARNs: every ARN matches the pattern.", U_SETS,
           r({"ForAllValues:ArnLike": {"ex:Arns": "arn:aws:sns:*:111122223333:*"}},
             {"ex:Arns": ["arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:eu-west-1:111122223333:b"]}), "allowed"))
    return out


def cases():
    return variables() + sets()
