"""conditions/<family>/: every condition operator, its IfExists form, present and absent keys.

The matrix rests on three documented rules (condition operators page):
  - a key that is absent from the request context makes the condition false, except that
    an operator that requires the key NOT to match (StringNotLike, ArnNotLike, NotIpAddress
    and the other negated operators) is true when the key is absent;
  - ...IfExists: if the key is absent the condition is true, otherwise the operator applies;
  - Null tests presence only.
Each operator is exercised as an Allow (allowed / implicitDeny) and as a Deny beside an
Allow-everything statement (explicitDeny when the condition holds).
"""

from lib import (A, ALICE, U_OPS, U_MULTI, U_CONDITION, U_KEYS, ev, matched, pol, stmt, user)

T = "conditions"

# operator -> (family, key, policy value, context value making it true, context value making it false, negated)
OPS = [
    ("StringEquals", "string", "aws:PrincipalTag/team", "blue", "blue", "Blue", False),
    ("StringNotEquals", "string", "aws:PrincipalTag/team", "blue", "red", "blue", True),
    ("StringEqualsIgnoreCase", "string", "aws:PrincipalTag/team", "blue", "BLUE", "red", False),
    ("StringNotEqualsIgnoreCase", "string", "aws:PrincipalTag/team", "blue", "red", "BLUE", True),
    ("StringLike", "string", "aws:PrincipalTag/team", "bl*e", "bluuue", "black", False),
    ("StringNotLike", "string", "aws:PrincipalTag/team", "bl*", "red", "blue", True),
    ("NumericEquals", "numeric", "s3:max-keys", "10", "10", "11", False),
    ("NumericNotEquals", "numeric", "s3:max-keys", "10", "11", "10", True),
    ("NumericLessThan", "numeric", "s3:max-keys", "10", "9", "10", False),
    ("NumericLessThanEquals", "numeric", "s3:max-keys", "10", "10", "11", False),
    ("NumericGreaterThan", "numeric", "s3:max-keys", "10", "11", "10", False),
    ("NumericGreaterThanEquals", "numeric", "s3:max-keys", "10", "10", "9", False),
    ("DateEquals", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-06-30T00:00:00Z", "2020-06-30T00:00:01Z", False),
    ("DateNotEquals", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-07-01T00:00:00Z", "2020-06-30T00:00:00Z", True),
    ("DateLessThan", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-06-29T23:59:59Z", "2020-06-30T00:00:00Z", False),
    ("DateLessThanEquals", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-06-30T00:00:00Z", "2020-06-30T00:00:01Z", False),
    ("DateGreaterThan", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-06-30T00:00:01Z", "2020-06-30T00:00:00Z", False),
    ("DateGreaterThanEquals", "date", "aws:CurrentTime", "2020-06-30T00:00:00Z", "2020-06-30T00:00:00Z", "2020-06-29T23:59:59Z", False),
    ("Bool", "bool", "aws:SecureTransport", "true", "true", "false", False),
    ("BinaryEquals", "binary", "ex:Payload", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "T3RoZXJWYWx1ZQ==", False),
    ("IpAddress", "ip", "aws:SourceIp", "203.0.113.0/24", "203.0.113.7", "198.51.100.7", False),
    ("NotIpAddress", "ip", "aws:SourceIp", "203.0.113.0/24", "198.51.100.7", "203.0.113.7", True),
    ("ArnEquals", "arn", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:other", False),
    ("ArnLike", "arn", "aws:SourceArn", "arn:aws:sns:*:111122223333:top*", "arn:aws:sns:eu-west-1:111122223333:topic", "arn:aws:sns:eu-west-1:444455556666:topic", False),
    ("ArnNotEquals", "arn", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:other", "arn:aws:sns:us-east-1:111122223333:topic", True),
    ("ArnNotLike", "arn", "aws:SourceArn", "arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:444455556666:t", "arn:aws:sns:us-east-1:111122223333:t", True),
]

RES = "arn:aws:s3:::amzn-s3-demo-bucket/k"


def _req(cond, context, deny=False):
    if deny:
        p = pol(stmt(sid="AllowAll", action="*"),
                stmt("Deny", sid="DenyIf", action="s3:GetObject", Condition=cond))
    else:
        p = pol(stmt(sid="AllowIf", Condition=cond))
    r = {"action": "s3:GetObject", "resource": RES, "principal": user()}
    if context is not None:
        r["context"] = context
    r["identityPolicies"] = [p]
    return r


def matrix():
    out = []
    for op, fam, key, pv, tv, fv, neg in OPS:
        topic = f"{T}/{fam}"
        for ifx in (False, True):
            name = op + ("IfExists" if ifx else "")
            cond = {name: {key: pv}}
            low = name.lower()
            m_yes = matched(("identityPolicies[0]", "AllowIf", "Allow"))
            out.append(ev(topic, f"{low}-present-true", f"{name} {key}={pv!r}: the request value {tv!r} satisfies it, so the Allow applies.",
                          U_OPS, _req(cond, {key: tv}), "allowed", m_yes))
            out.append(ev(topic, f"{low}-present-false", f"{name} {key}={pv!r}: the request value {fv!r} does not satisfy it, so nothing allows the request.",
                          U_OPS, _req(cond, {key: fv}), "implicitDeny", []))
            if ifx:
                why = "...IfExists: the key is absent from the request context, so the condition is true."
                dec, ms = "allowed", m_yes
            elif neg:
                why = ("The key is absent and the operator requires the key NOT to match; the documented rule makes "
                       "the condition true when the key is not present.")
                dec, ms = "allowed", m_yes
            else:
                why = "The key is absent from the request context: the values do not match and the condition is false."
                dec, ms = "implicitDeny", []
            out.append(ev(topic, f"{low}-absent", f"{name} on {key}. {why}", U_OPS, _req(cond, {}), dec, ms, missing=[key]))
            out.append(ev(topic, f"{low}-deny-present-true",
                          f"A Deny with {name} {key}={pv!r} whose condition holds ({tv!r}) overrides the Allow of everything.",
                          U_OPS, _req(cond, {key: tv}, deny=True), "explicitDeny",
                          matched(("identityPolicies[0]", "AllowAll", "Allow"), ("identityPolicies[0]", "DenyIf", "Deny"))))
    return out


def null_cases():
    t = f"{T}/null"
    out = []
    for val, present, dec in (("true", False, "allowed"), ("true", True, "implicitDeny"),
                              ("false", True, "allowed"), ("false", False, "implicitDeny")):
        ctx = {"aws:TokenIssueTime": "2020-06-30T00:00:00Z"} if present else {}
        what = (f"Null aws:TokenIssueTime={val}: true means the key must be absent, false means present; "
                f"here the key is {'present' if present else 'absent'}.")
        out.append(ev(t, f"null-{val}-key-{'present' if present else 'absent'}", what, U_OPS,
                      _req({"Null": {"aws:TokenIssueTime": val}}, ctx), dec))
    # documented example: deny requests made without temporary credentials' MFA
    out.append(ev(t, "null-deny-when-tag-missing",
                  "Deny when the request carries no aws:RequestTag/env (Null ... true), beside an Allow: the tag is missing, so the Deny applies.",
                  U_OPS, {"action": "ec2:RunInstances", "resource": "*", "principal": user(), "context": {},
                          "identityPolicies": [pol(stmt(action="ec2:RunInstances"),
                                                   stmt("Deny", action="ec2:RunInstances", Condition={"Null": {"aws:RequestTag/env": "true"}}))]},
                  "explicitDeny"))
    out.append(ev(t, "null-deny-when-tag-missing-tag-given",
                  "Same Deny-if-Null policy; the request carries aws:RequestTag/env, so the Deny does not apply and the Allow does.",
                  U_OPS, {"action": "ec2:RunInstances", "resource": "*", "principal": user(), "context": {"aws:RequestTag/env": "dev"},
                          "identityPolicies": [pol(stmt(action="ec2:RunInstances"),
                                                   stmt("Deny", action="ec2:RunInstances", Condition={"Null": {"aws:RequestTag/env": "true"}}))]},
                  "allowed"))
    out.append(ev(t, "null-two-keys-and",
                  "Null with two keys: both tests must hold (AND). aws:TokenIssueTime must be absent and aws:SourceIp present; SourceIp is absent here.",
                  U_MULTI, _req({"Null": {"aws:TokenIssueTime": "true", "aws:SourceIp": "false"}}, {}), "implicitDeny"))
    return out


def _r(cond, ctx, action="s3:GetObject"):
    return {"action": action, "resource": RES, "principal": user(), "context": ctx,
            "identityPolicies": [pol(stmt(action=action, Condition=cond))]}


def logic_cases():
    """Multiple keys (AND), multiple values (OR), negated operators (NOR), operators (AND)."""
    out = []
    fam_examples = [
        ("string", "StringEquals", "StringNotEquals", "aws:PrincipalTag/team", ["blue", "green"], "green", "red",
         "aws:PrincipalTag/dept", "eng"),
        ("numeric", "NumericEquals", "NumericNotEquals", "s3:max-keys", ["10", "20"], "20", "30",
         "ex:Count", "5"),
        ("date", "DateEquals", "DateNotEquals", "aws:CurrentTime", ["2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"],
         "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "aws:TokenIssueTime", "2019-01-01T00:00:00Z"),
        ("ip", "IpAddress", "NotIpAddress", "aws:SourceIp", ["203.0.113.0/24", "198.51.100.0/24"], "198.51.100.9",
         "192.0.2.1", "aws:VpcSourceIp", "10.0.0.1"),
        ("arn", "ArnEquals", "ArnNotEquals", "aws:SourceArn",
         ["arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:us-east-1:111122223333:b"],
         "arn:aws:sns:us-east-1:111122223333:b", "arn:aws:sns:us-east-1:111122223333:c",
         "ex:TargetArn", "arn:aws:sqs:us-east-1:111122223333:q"),
    ]
    for fam, pos, negop, key, vals, hit, miss, key2, v2 in fam_examples:
        t = f"{T}/{fam}"
        out.append(ev(t, "multi-value-or-match", f"{pos} with two values for {key} is an OR: the request value {hit!r} equals one of them.",
                      U_MULTI, _r({pos: {key: vals}}, {key: hit}), "allowed"))
        out.append(ev(t, "multi-value-or-nomatch", f"{pos} with two values for {key} is an OR: {miss!r} equals neither.",
                      U_MULTI, _r({pos: {key: vals}}, {key: miss}), "implicitDeny"))
        out.append(ev(t, "negated-multi-value-nor-hit", f"{negop} with two values is a NOR: {hit!r} equals one of them, so the condition is false.",
                      U_MULTI, _r({negop: {key: vals}}, {key: hit}), "implicitDeny"))
        out.append(ev(t, "negated-multi-value-nor-first", f"{negop} with two values is a NOR: {vals[0]!r} equals the first, so the condition is false.",
                      U_MULTI, _r({negop: {key: vals}}, {key: vals[0] if fam != 'ip' else '203.0.113.1'}), "implicitDeny"))
        out.append(ev(t, "negated-multi-value-nor-miss", f"{negop} with two values is a NOR: {miss!r} equals neither, so the condition is true.",
                      U_MULTI, _r({negop: {key: vals}}, {key: miss}), "allowed"))
        both = {key: hit, key2: v2}
        cond2 = {pos: {key: vals, key2: v2}}
        out.append(ev(t, "multi-key-and-both", f"{pos} with two keys is an AND: both {key} and {key2} match.",
                      U_MULTI, _r(cond2, both), "allowed"))
        out.append(ev(t, "multi-key-and-one-absent", f"{pos} with two keys is an AND: {key2} is absent, so the condition is false.",
                      U_MULTI, _r(cond2, {key: hit}), "implicitDeny", missing=[key2]))
        out.append(ev(t, "multi-key-and-one-differs", f"{pos} with two keys is an AND: {key} does not match, so the condition is false.",
                      U_MULTI, _r(cond2, {key: miss, key2: v2}), "implicitDeny"))
    # several operators in one Condition block are ANDed
    t = f"{T}/logic"
    cond = {"StringEquals": {"aws:PrincipalTag/team": "blue"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
            "Bool": {"aws:SecureTransport": "true"}}
    ok = {"aws:PrincipalTag/team": "blue", "aws:SourceIp": "203.0.113.10", "aws:SecureTransport": "true"}
    out.append(ev(t, "operators-and-all-true", "Three condition operators in one Condition element are ANDed; all three hold.",
                  U_MULTI, _r(cond, ok), "allowed"))
    for k, bad in (("aws:PrincipalTag/team", "red"), ("aws:SourceIp", "192.0.2.10"), ("aws:SecureTransport", "false")):
        ctx = dict(ok)
        ctx[k] = bad
        out.append(ev(t, f"operators-and-{k.split(':')[1].split('/')[0].lower()}-false",
                      f"Three condition operators are ANDed; {k}={bad!r} makes one false, so the statement does not apply.",
                      U_MULTI, _r(cond, ctx), "implicitDeny"))
    out.append(ev(t, "key-name-case-insensitive",
                  "Condition key names are not case-sensitive: aws:sourceip in the policy tests the request's aws:SourceIp.",
                  U_CONDITION, _r({"IpAddress": {"aws:sourceip": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.5"}), "allowed"))
    out.append(ev(t, "key-value-case-sensitive",
                  "Condition key names are case-insensitive but StringEquals compares values case-sensitively: AWS:PRINCIPALTAG/TEAM=blue vs BLUE.",
                  U_CONDITION, _r({"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "blue"}}, {"aws:PrincipalTag/team": "BLUE"}), "implicitDeny"))
    out.append(ev(t, "empty-condition-block", "An empty Condition element places no constraint; the statement applies.",
                  U_CONDITION, _r({}, {}), "allowed"))
    out.append(ev(t, "deny-ifexists-absent-denies",
                  "Deny with BoolIfExists aws:MultiFactorAuthPresent=false (the documented MFA pattern): with the key absent, "
                  "IfExists makes the condition true, so the Deny applies to long-term credentials.",
                  U_OPS, {"action": "ec2:StopInstances", "resource": "*", "principal": user(), "context": {},
                          "identityPolicies": [pol(stmt(action="ec2:*"),
                                                   stmt("Deny", action="ec2:StopInstances",
                                                        Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))]},
                  "explicitDeny"))
    out.append(ev(t, "deny-bool-absent-does-not-deny",
                  "Deny with plain Bool aws:MultiFactorAuthPresent=false: with the key absent the condition is false, so the Deny does "
                  "not apply (why the documentation recommends BoolIfExists for this pattern).",
                  U_OPS, {"action": "ec2:StopInstances", "resource": "*", "principal": user(), "context": {},
                          "identityPolicies": [pol(stmt(action="ec2:*"),
                                                   stmt("Deny", action="ec2:StopInstances",
                                                        Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]},
                  "allowed"))
    return out


def family_extras():
    out = []
    t = f"{T}/string"
    k = "aws:PrincipalTag/team"
    for name, op, pv, cv, dec, what in (
        ("stringlike-question-one-char", "StringLike", "bl?e", "blue", "allowed", "? matches exactly one character"),
        ("stringlike-question-not-two", "StringLike", "bl?e", "bluue", "implicitDeny", "? matches exactly one character, not two"),
        ("stringlike-star-empty", "StringLike", "blue*", "blue", "allowed", "* matches zero characters too"),
        ("stringlike-case-sensitive", "StringLike", "blue*", "Blue-team", "implicitDeny", "StringLike is case-sensitive"),
        ("stringequals-no-wildcards", "StringEquals", "bl*e", "blue", "implicitDeny", "StringEquals treats * literally"),
        ("stringequals-literal-star", "StringEquals", "bl*e", "bl*e", "allowed", "StringEquals matches the literal value bl*e"),
        ("stringlike-only-star", "StringLike", "*", "anything", "allowed", "* alone matches any value"),
        ("stringnotlike-question", "StringNotLike", "r?d", "rod", "implicitDeny", "StringNotLike r?d: rod matches the pattern, so the negated condition is false"),
        ("stringequalsignorecase-mixed", "StringEqualsIgnoreCase", "BlUe", "bLuE", "allowed", "case is ignored on both sides"),
    ):
        out.append(ev(t, name, f"{op} {k}={pv!r} against {cv!r}: {what}.", U_OPS, _r({op: {k: pv}}, {k: cv}), dec))
    t = f"{T}/numeric"
    k = "s3:max-keys"
    for name, op, pv, cv, dec, what in (
        ("numeric-decimal-less", "NumericLessThan", "10.5", "10", "allowed", "10 < 10.5"),
        ("numeric-negative", "NumericGreaterThan", "-5", "0", "allowed", "0 > -5"),
        ("numeric-equals-integer-forms", "NumericEquals", "10", "010", "allowed", "numeric comparison: 010 equals 10"),
        ("numeric-not-string-compare", "NumericLessThan", "10", "9", "allowed", "numeric, not lexical, comparison: 9 < 10"),
        ("numeric-greater-lexical-trap", "NumericGreaterThan", "9", "10", "allowed", "numeric, not lexical, comparison: 10 > 9"),
    ):
        out.append(ev(t, name, f"{op} {k}={pv!r} against {cv!r}: {what}.", U_OPS, _r({op: {k: pv}}, {k: cv}), dec))
    t = f"{T}/date"
    for name, op, pv, key, cv, dec, what in (
        ("date-epoch-policy-value", "DateGreaterThan", "1593475200", "aws:CurrentTime", "2020-07-01T00:00:00Z", "allowed",
         "date operators accept epoch seconds in the policy: 1593475200 is 2020-06-30T00:00:00Z"),
        ("date-epoch-policy-value-false", "DateGreaterThan", "1593475200", "aws:CurrentTime", "2020-06-29T00:00:00Z", "implicitDeny",
         "1593475200 is 2020-06-30T00:00:00Z, later than the request time"),
        ("date-lessthan-window", "DateLessThan", "2020-12-31T23:59:59Z", "aws:CurrentTime", "2020-12-31T23:59:58Z", "allowed",
         "one second before the end of the window"),
    ):
        out.append(ev(t, name, f"{op} {key}={pv!r} against {cv!r}: {what}.", U_OPS, _r({op: {key: pv}}, {key: cv}), dec))
    both = {"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}
    out.append(ev(t, "date-range-inside", "A date range from two operators (documented example): the request time is inside it.",
                  U_OPS, _r(both, {"aws:CurrentTime": "2020-05-15T12:00:00Z"}), "allowed"))
    out.append(ev(t, "date-range-after", "A date range from two operators: the request time is after its end.",
                  U_OPS, _r(both, {"aws:CurrentTime": "2020-07-15T12:00:00Z"}), "implicitDeny"))
    out.append(ev(t, "revoke-older-sessions",
                  "Revoking sessions (the documented pattern): Deny with DateLessThan aws:TokenIssueTime denies credentials issued before the cutoff.",
                  U_OPS, {"action": "s3:GetObject", "resource": RES, "principal": {"arn": "arn:aws:sts::111122223333:assumed-role/R/sess",
                                                                               "account": A, "roleArn": "arn:aws:iam::111122223333:role/R"},
                          "context": {"aws:TokenIssueTime": "2020-06-01T00:00:00Z"},
                          "identityPolicies": [pol(stmt(action="s3:*"),
                                                   stmt("Deny", action="*", Condition={"DateLessThan": {"aws:TokenIssueTime": "2020-06-30T00:00:00Z"}}))]},
                  "explicitDeny"))
    t = f"{T}/bool"
    out.append(ev(t, "bool-context-json-true", "Bool aws:SecureTransport=true against a request value given as JSON true (taken as \"true\").",
                  U_OPS, _r({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}), "allowed"))
    out.append(ev(t, "bool-false-matches-false", "Bool aws:SecureTransport=false against a request over plain HTTP (false).",
                  U_OPS, _r({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False}), "allowed"))
    out.append(ev(t, "bool-deny-insecure-transport",
                  "The documented pattern: Deny when aws:SecureTransport is false, beside an Allow; an HTTP request is denied.",
                  U_OPS, {"action": "s3:GetObject", "resource": RES, "principal": user(), "context": {"aws:SecureTransport": "false"},
                          "identityPolicies": [pol(stmt(), stmt("Deny", action="s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))]},
                  "explicitDeny"))
    t = f"{T}/ip"
    k = "aws:SourceIp"
    for name, op, pv, cv, dec, what in (
        ("ipv6-cidr-match", "IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", "allowed", "an IPv6 address in the /64"),
        ("ipv6-cidr-nomatch", "IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", "implicitDeny", "an IPv6 address outside the /64"),
        ("ipv4-request-ipv6-range", "IpAddress", "2001:DB8:1234:5678::/64", "203.0.113.7", "implicitDeny", "an IPv4 address is not in an IPv6 range"),
        ("ipv6-request-ipv4-range", "IpAddress", "203.0.113.0/24", "2001:db8::1", "implicitDeny", "an IPv6 address is not in an IPv4 range"),
        ("single-address-no-mask", "IpAddress", "203.0.113.7", "203.0.113.7", "allowed", "an address without a mask is that one address"),
        ("single-address-no-mask-other", "IpAddress", "203.0.113.7", "203.0.113.8", "implicitDeny", "an address without a mask is only that address"),
        ("cidr-32", "IpAddress", "203.0.113.7/32", "203.0.113.7", "allowed", "a /32 is one address"),
        ("cidr-edge-last", "IpAddress", "203.0.113.0/24", "203.0.113.255", "allowed", "the last address of the /24"),
        ("cidr-edge-next", "IpAddress", "203.0.113.0/24", "203.0.114.0", "implicitDeny", "the first address after the /24"),
        ("cidr-slash-zero", "IpAddress", "0.0.0.0/0", "192.0.2.44", "allowed", "0.0.0.0/0 contains every IPv4 address"),
        ("mixed-list-ipv6", "IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678:abcd::9", "allowed",
         "a list mixing IPv4 and IPv6 ranges (documented example): the IPv6 request is in the second"),
        ("notip-ipv6", "NotIpAddress", "2001:DB8:1234:5678::/64", "2001:db8:ffff::1", "allowed", "NotIpAddress: the IPv6 address is outside the range"),
        ("notip-mixed-list-inside", "NotIpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "203.0.113.1", "implicitDeny",
         "NotIpAddress with a list: the address is inside the first range, so the condition is false"),
    ):
        out.append(ev(t, name, f"{op} {k}={pv!r} against {cv!r}: {what}.", U_OPS, _r({op: {k: pv}}, {k: cv}), dec))
    out.append(ev(t, "deny-outside-corporate-range",
                  "The documented pattern: Deny all when aws:SourceIp is NotIpAddress the corporate ranges; a request from outside is denied.",
                  U_OPS, {"action": "s3:GetObject", "resource": RES, "principal": user(), "context": {"aws:SourceIp": "192.0.2.10"},
                          "identityPolicies": [pol(stmt(), stmt("Deny", action="*", Condition={"NotIpAddress": {k: ["203.0.113.0/24", "198.51.100.0/24"]}}))]},
                  "explicitDeny"))
    out.append(ev(t, "deny-outside-corporate-range-inside",
                  "Same Deny-outside-ranges policy; a request from 198.51.100.20 is inside a range, so only the Allow applies.",
                  U_OPS, {"action": "s3:GetObject", "resource": RES, "principal": user(), "context": {"aws:SourceIp": "198.51.100.20"},
                          "identityPolicies": [pol(stmt(), stmt("Deny", action="*", Condition={"NotIpAddress": {k: ["203.0.113.0/24", "198.51.100.0/24"]}}))]},
                  "allowed"))
    t = f"{T}/arn"
    k = "aws:SourceArn"
    for name, op, pv, cv, dec, what in (
        ("arnequals-wildcard", "ArnEquals", "arn:aws:sns:*:111122223333:topic", "arn:aws:sns:eu-west-1:111122223333:topic", "allowed",
         "ArnEquals and ArnLike both allow * and ? within each colon-delimited component"),
        ("arnlike-question", "ArnLike", "arn:aws:sns:us-east-1:111122223333:topic?", "arn:aws:sns:us-east-1:111122223333:topic1", "allowed",
         "? matches one character"),
        ("arnlike-case-sensitive", "ArnLike", "arn:aws:sns:*:111122223333:Topic", "arn:aws:sns:us-east-1:111122223333:topic", "implicitDeny",
         "ARN matching is case-sensitive"),
        ("arnlike-slash-in-resource", "ArnLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", "allowed",
         "* within the resource component spans slashes"),
        ("arnlike-service-differs", "ArnLike", "arn:aws:sns:*:*:*", "arn:aws:sqs:us-east-1:111122223333:q", "implicitDeny",
         "the service component sns does not match sqs"),
        ("arnlike-account-star", "ArnLike", "arn:aws:sns:us-east-1:*:topic", "arn:aws:sns:us-east-1:777788889999:topic", "allowed",
         "* in the account component"),
    ):
        out.append(ev(t, name, f"{op} {k}={pv!r} against {cv!r}: {what}.", U_OPS, _r({op: {k: pv}}, {k: cv}), dec))
    out.append(ev(t, "principalarn-arnlike-role-path",
                  "ArnLike aws:PrincipalArn with a wildcard in the role name (documented use of aws:PrincipalArn with roles).",
                  U_KEYS, _r({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin-*"}},
                             {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin-ops"}), "allowed"))
    t = f"{T}/binary"
    out.append(ev(t, "binaryequals-multi-value",
                  "BinaryEquals with two base64 values: a request value equal to either matches.",
                  U_OPS, _r({"BinaryEquals": {"ex:Payload": ["QUJD", "REVG"]}}, {"ex:Payload": "REVG"}), "allowed"))
    return out


def cases():
    return matrix() + null_cases() + logic_cases() + family_extras()
