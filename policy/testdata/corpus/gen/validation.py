"""validation/: documents IAM accepts or rejects with MalformedPolicyDocument, by place (kind).

Most of AWS's exact MalformedPolicyDocument texts are not printed in the User Guide; those
cases say "message: inferred" and use the text IAM returns as reported by users and as
reproduced by tools that were checked against IAM's CreatePolicy. The rule each case shows
is documented on the cited page (policy grammar, element pages, troubleshooting).
"""

from lib import (A, ALICE, ROLE, U_ACTION, U_EFFECT, U_GRAMMAR, U_KB_PRINCIPAL, U_PRINCIPAL, U_RESOURCE, U_SID,
                 U_STATEMENT, U_TROUBLE, U_VERSION, U_CONDITION, U_OPS, U_SCP_SYNTAX, U_RCP, U_SESSION, U_BOUNDARY,
                 U_TRUST, U_NOTACTION, ev, pol, stmt, user)

INF = "message: inferred (the page documents the rule, not IAM's exact text)"
REPORTED = "message: IAM's text as users report it from CreatePolicy, PutRolePolicy and CreateRole"
ORDER = "order: AWS's order of checks as observed (syntax, managed Version, legacy parser, Sids, actions, resources' format, vendors, resources); not documented"
SYNTAX = "Syntax errors in policy."
NO_PRINCIPAL = "Policy document should not specify a principal."
VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
OBJ = "arn:aws:s3:::amzn-s3-demo-bucket/k"
OK = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket"}


def _p(**over):
    s = dict(OK)
    for k, v in over.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return {"Version": "2012-10-17", "Statement": [s]}


def identity():
    t = "validation/identity"
    out = []
    add = out.append

    def ok(name, what, url, doc, kind="identity"):
        add(val_(t, name, what, url, doc, kind, ""))

    def bad(name, what, url, doc, msg, note=INF, kind="identity"):
        add(val_(t, name, what, url, doc, kind, msg, note))

    ok("minimal", "A minimal identity-based policy: Version, one statement with Effect, Action, Resource.", U_GRAMMAR, _p())
    ok("statement-object", "Statement may be a single object.", U_STATEMENT, {"Version": "2012-10-17", "Statement": dict(OK)})
    ok("action-star", "Action * is valid.", U_ACTION, _p(Action="*"))
    ok("resource-list-with-star", "A Resource list may include *.", U_RESOURCE, _p(Resource=["arn:aws:s3:::amzn-s3-demo-bucket", "*"]))
    ok("notaction-notresource", "NotAction and NotResource instead of Action and Resource.", U_NOTACTION,
       _p(Action=None, Resource=None, NotAction="iam:*", NotResource="arn:aws:s3:::amzn-s3-demo-bucket/*"))
    ok("empty-condition", "An empty Condition object is accepted.", U_CONDITION, _p(Condition={}))
    ok("forallvalues-condition", "A ForAllValues condition with a single string value is accepted.", U_OPS,
       _p(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "Department"}}))
    ok("date-range", "Two date operators with ISO 8601 values.", U_OPS,
       _p(Condition={"DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"}}))
    ok("id-and-sid", "Id and alphanumeric Sid elements are accepted.", U_SID,
       {"Version": "2012-10-17", "Id": "cd3a324d-2343-d942", "Statement": [dict(OK, Sid="ReadBucket1")]})
    ok("unknown-service-action", "IAM does not check that a service or action exists, only its form.", U_ACTION, _p(Action="fsx:ListBucket"))
    ok("variables", "Policy variables in Resource with Version 2012-10-17.", U_VERSION,
       _p(Resource="arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"))
    ok("every-operator-family", "One condition of each operator family, with IfExists and set forms.", U_OPS,
       _p(Condition={"StringLikeIfExists": {"aws:PrincipalTag/team": "b*"}, "NumericLessThan": {"s3:max-keys": "10"},
                     "Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8::/32"]},
                     "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}, "Null": {"aws:TokenIssueTime": "true"},
                     "BinaryEquals": {"ex:Payload": "QUJD"}, "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}))
    bad("principal", "An identity-based policy must not contain Principal (it applies to the identity it is attached to).",
        U_KB_PRINCIPAL, _p(Principal={"AWS": ALICE}), NO_PRINCIPAL,
        "message: inferred (the API text reported by users; the console calls it \"Has prohibited field Principal\")")
    bad("notprincipal", "NotPrincipal is as out of place as Principal in an identity-based policy.", U_PRINCIPAL,
        _p(NotPrincipal={"AWS": ALICE}), NO_PRINCIPAL)
    bad("not-json", "A document that is not JSON.", U_GRAMMAR, "This is not a json document", SYNTAX)
    bad("truncated-json", "Truncated JSON.", U_GRAMMAR, '{"Version": "2012-10-17", "Statement": [', SYNTAX)
    bad("top-level-array", "The document must be a JSON object.", U_GRAMMAR, "[]", SYNTAX)
    bad("version-unknown", "Version must be 2012-10-17 or 2008-10-17.", U_VERSION, dict(_p(), Version="2013-10-17"), SYNTAX)
    bad("version-missing", "IAM managed policies require Version 2012-10-17.", U_VERSION, {"Statement": [dict(OK)]},
        "Policy document must be version 2012-10-17 or greater.", REPORTED, kind="managed")
    bad("version-2008", "IAM managed policies require Version 2012-10-17; 2008-10-17 is for older resource-based policies.", U_VERSION,
        dict(_p(), Version="2008-10-17"), "Policy document must be version 2012-10-17 or greater.", REPORTED, kind="managed")
    bad("version-missing-before-legacy", "A managed policy's Version is checked before what the legacy parser refuses.", U_VERSION,
        {"Statement": [dict(OK, Effect="allow")]}, "Policy document must be version 2012-10-17 or greater.", ORDER, kind="managed")
    ok("version-missing-inline", "An inline policy may leave Version out (it then means 2008-10-17).", U_VERSION, {"Statement": [dict(OK)]})
    ok("version-2008-inline", "An inline policy may be Version 2008-10-17.", U_VERSION, dict(_p(), Version="2008-10-17"))
    ok("condition-key-no-vendor", "IAM does not know every service's condition keys and accepts a key without a prefix.", U_CONDITION,
       _p(Condition={"StringEquals": {"team": "blue"}}))
    ok("condition-operator-unknown-empty", "An unknown operator that tests no key is accepted.", U_OPS, _p(Condition={"StringEqualz": {}}))
    ok("resource-s3-access-point", "An S3 access point ARN names its region.", U_RESOURCE,
       _p(Resource=f"arn:aws:s3:us-west-2:{A}:accesspoint/reports/object/*"))
    ok("resource-regional", "Regional ARNs of other services are valid.", U_RESOURCE,
       _p(Resource=[f"arn:aws:dynamodb:us-east-1:{A}:table/Books", f"arn:aws:s3-object-lambda:us-west-2:{A}:accesspoint/ol"]))
    bad("resource-too-few-sections", "An ARN that runs sections together but has fewer than six.", U_RESOURCE,
        _p(Resource="arn:aws:s3::amzn-s3-demo-bucket"), "The policy failed legacy parsing", INF)
    bad("resource-iam-path", "An IAM ARN's resource must be one of IAM's resource types.", U_RESOURCE, _p(Resource="arn:aws:iam:::x"),
        'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, '
        'server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.', REPORTED)
    bad("resource-short-partition", "IAM reads any a:b:c as an ARN and refuses its partition, filling the missing sections.", U_RESOURCE,
        _p(Resource="a:b:c"), 'Partition "b" is not valid for resource "arn:b:c:*:*:*".', INF)
    bad("sid-duplicate-before-resource", "Duplicate Sids are reported before a resource's format.", U_SID,
        {"Version": "2012-10-17", "Statement": [dict(OK, Sid="S1", Resource="bucket"), dict(OK, Sid="S1")]},
        "Statement IDs (SID) in a single policy must be unique.", ORDER)
    bad("legacy-before-sid", "What the legacy parser refuses, in a later statement, is reported before duplicate Sids.", U_SID,
        {"Version": "2012-10-17", "Statement": [dict(OK, Sid="S1"), dict(OK, Sid="S1"), dict(OK, Effect="deny")]},
        "The policy failed legacy parsing", ORDER)
    bad("statement-missing", "Statement is required.", U_GRAMMAR, {"Version": "2012-10-17"}, SYNTAX)
    bad("statement-empty", "Statement may not be empty.", U_GRAMMAR, {"Version": "2012-10-17", "Statement": []}, SYNTAX)
    bad("statement-string", "A statement must be an object.", U_GRAMMAR, {"Version": "2012-10-17", "Statement": ["afd"]}, SYNTAX)
    bad("top-level-unknown", "An unknown top-level element.", U_GRAMMAR, dict(_p(), Extra="value"), SYNTAX)
    bad("statement-unknown-element", "An unknown element inside a statement.", U_GRAMMAR, _p(Extra="value"), SYNTAX)
    bad("id-not-string", "Id must be a string.", U_GRAMMAR, dict(_p(), Id=["x"]), SYNTAX)
    bad("effect-missing", "Effect is required in every statement.", U_EFFECT, _p(Effect=None), SYNTAX)
    bad("effect-invalid", "Effect is Allow or Deny.", U_EFFECT, _p(Effect="Permit"), SYNTAX)
    bad("effect-wrong-case", "Effect values are case-sensitive: allow is not Allow.", U_EFFECT, _p(Effect="allow"),
        "The policy failed legacy parsing")
    bad("action-missing", "A statement needs Action or NotAction.", U_ACTION, _p(Action=None), "Policy statement must contain actions.")
    bad("action-empty-list", "An empty Action list is no action.", U_ACTION, _p(Action=[]), "Policy statement must contain actions.")
    bad("action-and-notaction", "Action and NotAction together in one statement.", U_NOTACTION, _p(NotAction="iam:*"), SYNTAX)
    bad("action-number", "Action must be a string or a list of strings.", U_ACTION, _p(Action=123), SYNTAX)
    bad("action-object", "Action must be a string or a list of strings.", U_ACTION, _p(Action={}), SYNTAX)
    bad("action-no-vendor", "An action must be prefixed by its service namespace.", U_ACTION, _p(Action="ListBucket"), VENDOR)
    bad("notaction-empty-string", "An empty NotAction has no service prefix either.", U_NOTACTION, _p(Action=None, NotAction=""), VENDOR)
    bad("action-two-colons", "An action has exactly one colon.", U_ACTION, _p(Action="s3:List:Bucket"), "Actions/Condition can contain only one colon.")
    bad("action-vendor-space", "A service prefix has no spaces.", U_ACTION, _p(Action="a a:ListBucket"), "Vendor a a is not valid")
    bad("resource-missing", "A statement in an identity-based policy needs Resource or NotResource.", U_RESOURCE, _p(Resource=None),
        "Policy statement must contain resources.")
    bad("resource-empty-list", "An empty Resource list.", U_RESOURCE, _p(Resource=[]), "Policy statement must contain resources.")
    bad("resource-and-notresource", "Resource and NotResource together.", U_RESOURCE, _p(NotResource="*"), SYNTAX)
    bad("resource-null", "Resource null is a syntax error.", U_RESOURCE, {"Version": "2012-10-17", "Statement": [dict(OK, Resource=None)]}, SYNTAX)
    bad("resource-not-arn", "A resource must be an ARN or *.", U_RESOURCE, _p(Resource="invalid resource"),
        'Resource invalid resource must be in ARN format or "*".')
    bad("resource-empty-string", "An empty resource string is not an ARN.", U_RESOURCE, _p(Resource=""), 'Resource  must be in ARN format or "*".')
    bad("resource-bad-partition", "The partition of a resource ARN must be valid.", U_RESOURCE, _p(Resource="arn:error:s3:::amzn-s3-demo-bucket"),
        'Partition "error" is not valid for resource "arn:error:s3:::amzn-s3-demo-bucket".')
    bad("resource-no-service", "A resource ARN needs a service.", U_RESOURCE, _p(Resource="arn:aws"),
        "Resource vendor must be fully qualified and cannot contain regexes.")
    bad("resource-iam-region", "IAM resources have no region.", U_RESOURCE, _p(Resource=f"arn:aws:iam:us-east-1:{A}:user/alice"),
        f"IAM resource arn:aws:iam:us-east-1:{A}:user/alice cannot contain region information.")
    bad("resource-s3-region", "S3 bucket and object ARNs have no region.", U_RESOURCE, _p(Resource="arn:aws:s3:us-east-1::amzn-s3-demo-bucket"),
        "Resource arn:aws:s3:us-east-1::amzn-s3-demo-bucket can not contain region information.")
    bad("sid-duplicate", "Sids must be unique within a policy.", U_SID,
        {"Version": "2012-10-17", "Statement": [dict(OK, Sid="S1"), dict(OK, Sid="S1", Action="s3:GetObject")]},
        "Statement IDs (SID) in a single policy must be unique.")
    bad("sid-not-string", "Sid must be a string.", U_SID, _p(Sid={}), SYNTAX)
    bad("condition-array", "Condition must be an object.", U_CONDITION, _p(Condition=[]), SYNTAX)
    bad("condition-string", "Condition must be an object.", U_CONDITION, _p(Condition="a"), SYNTAX)
    bad("condition-operator-unknown", "An unknown condition operator.", U_OPS, _p(Condition={"StringEqualz": {"aws:username": "alice"}}), SYNTAX)
    bad("condition-operator-double-colon", "A malformed set qualifier.", U_OPS, _p(Condition={"ForAnyValue::StringEquals": {"aws:TagKeys": "a"}}), SYNTAX)
    bad("condition-value-object", "A condition value must be a string or a list.", U_OPS, _p(Condition={"DateGreaterThan": {"aws:CurrentTime": {}}}), SYNTAX)
    bad("condition-operator-not-object", "An operator maps to an object of keys.", U_OPS, _p(Condition={"DateGreaterThan": "b"}), SYNTAX)
    bad("condition-date-invalid", "A date operator with a value that is neither ISO 8601 nor epoch.", U_OPS,
        _p(Condition={"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}}), "The policy failed legacy parsing")
    return out


def val_(t, name, what, url, doc, kind, msg, note=""):
    from lib import val
    return val(t, name, what, url, doc, kind, msg, note)


def places():
    out = []
    add = out.append
    t = "validation/trust"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    add(val_(t, "service", "A role trust policy for EC2.", U_TRUST, trust, "trust", ""))
    add(val_(t, "account-and-tags", "Trust naming an account, with sts:AssumeRole and sts:TagSession.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                                                      "Action": ["sts:AssumeRole", "sts:TagSession"]}]}, "trust", ""))
    add(val_(t, "oidc", "Trust for web identity federation.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"},
                                                      "Action": "sts:AssumeRoleWithWebIdentity",
                                                      "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}, "trust", ""))
    add(val_(t, "version-2008", "Trust policies written with Version 2008-10-17 (as older roles have) are accepted.", U_VERSION,
             dict(trust, Version="2008-10-17"), "trust", ""))
    add(val_(t, "principal-missing", "A trust policy is resource-based and must name a Principal.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}, "trust",
             "Missing required field Principal", INF))
    add(val_(t, "resource-present", "A trust policy applies to its role and must not name a Resource.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": ROLE}]},
             "trust", "Has prohibited field Resource", INF))
    add(val_(t, "non-sts-action", "A trust policy may only grant STS role-assumption actions.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}]},
             "trust", "AssumeRole policy may only specify STS AssumeRole actions.", INF))
    add(val_(t, "not-json", "A trust policy that is not JSON.", U_GRAMMAR, "{", "trust", "This policy contains invalid Json", REPORTED))
    add(val_(t, "version-missing", "A trust policy may leave Version out.", U_VERSION, {"Statement": trust["Statement"]}, "trust", ""))
    add(val_(t, "non-sts-action-after-resources", "The trust policy's own rules come after the general ones.", U_TRUST,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"},
                                                     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Sid": "A"},
                                                     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:TagSession", "Sid": "A"}]},
             "trust", "Statement IDs (SID) in a single policy must be unique.", ORDER))
    t = "validation/resource"
    bucket = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}
    add(val_(t, "public-read", "A resource-based policy with Principal \"*\".", U_PRINCIPAL, bucket, "resource", ""))
    add(val_(t, "version-2008", "Resource-based policies accept Version 2008-10-17.", U_VERSION, dict(bucket, Version="2008-10-17"), "resource", ""))
    add(val_(t, "no-version", "A resource-based policy without Version is read as 2008-10-17.", U_VERSION, {"Statement": bucket["Statement"]}, "resource", ""))
    add(val_(t, "notprincipal", "NotPrincipal with Deny in a resource-based policy.", U_PRINCIPAL,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, f"arn:aws:iam::{A}:root"]},
                                                      "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}, "resource", ""))
    t = "validation/boundary"
    add(val_(t, "valid", "A permissions boundary is a managed identity policy.", U_BOUNDARY,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]}, "boundary", ""))
    add(val_(t, "principal", "A permissions boundary must not contain Principal.", U_BOUNDARY,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, "boundary",
             NO_PRINCIPAL, INF))
    t = "validation/session"
    add(val_(t, "valid", "A session policy has the identity-policy form.", U_SESSION,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "session", ""))
    add(val_(t, "principal", "A session policy must not contain Principal.", U_SESSION,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}, "session",
             NO_PRINCIPAL, INF))
    t = "validation/scp"
    add(val_(t, "full-aws-access", "The FullAWSAccess SCP.", U_SCP_SYNTAX,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "scp", ""))
    add(val_(t, "deny-with-condition", "An SCP Deny with a condition.", U_SCP_SYNTAX,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
                                                      "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}, "scp", ""))
    t = "validation/rcp"
    add(val_(t, "rcp-full-aws-access", "The RCPFullAWSAccess policy.", U_RCP,
             {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}, "rcp", ""))
    # evaluation requests carrying a policy invalid for its place
    t = "validation/request"
    add(ev(t, "identity-policy-with-principal", "A simulate request whose identity-based policy names a Principal is rejected.",
           U_KB_PRINCIPAL, {"action": "s3:GetObject", "resource": OBJ, "principal": user(),
                            "identityPolicies": [pol(stmt(Principal={"AWS": ALICE}))]}, error=NO_PRINCIPAL, note=INF))
    add(ev(t, "identity-policy-missing-action", "A simulate request whose identity-based policy lacks Action is rejected.",
           U_ACTION, {"action": "s3:GetObject", "resource": OBJ, "principal": user(),
                      "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}]},
           error="Policy statement must contain actions.", note=INF))
    add(ev(t, "session-policy-no-vendor", "A simulate request whose session policy has an action without a service prefix is rejected.",
           U_ACTION, {"action": "s3:GetObject", "resource": OBJ, "principal": user(),
                      "identityPolicies": [pol(stmt())], "sessionPolicies": [pol(stmt(action="GetObject"))]}, error=VENDOR, note=INF))
    add(ev(t, "boundary-bad-effect", "A simulate request whose permissions boundary has Effect Permit is rejected.",
           U_EFFECT, {"action": "s3:GetObject", "resource": OBJ, "principal": user(),
                      "identityPolicies": [pol(stmt())], "permissionsBoundary": pol(stmt("Permit"))}, error=SYNTAX, note=INF))
    return out


def cases():
    return identity() + places()
