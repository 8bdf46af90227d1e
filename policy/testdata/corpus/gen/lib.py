"""Helpers shared by the corpus generator: case records and txtar output.

Every case is a Case: a topic folder, a file name, a comment (what the case shows,
the AWS page it comes from) and its files. gen.py collects the cases of all topics
and writes them; it only ever rewrites the topic folders it owns.
"""

import json
import os

A = "111122223333"  # the account that owns the resources unless a case says otherwise
B = "444455556666"  # a second account, for cross-account cases
C = "777788889999"  # a third account, never trusted

ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{A}:user/bob"
ROLE = f"arn:aws:iam::{A}:role/R"
SESSION = f"arn:aws:sts::{A}:assumed-role/R/sess"
B_ALICE = f"arn:aws:iam::{B}:user/alice"
B_ROLE = f"arn:aws:iam::{B}:role/R"
B_SESSION = f"arn:aws:sts::{B}:assumed-role/R/sess"

DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
ORG = "https://docs.aws.amazon.com/organizations/latest/userguide/"
U_EVAL = DOC + "reference_policies_evaluation-logic.html"
U_EVAL_CROSS = DOC + "reference_policies_evaluation-logic-cross-account.html"
U_IDRES = DOC + "access_policies_identity-vs-resource.html"
U_EFFECT = DOC + "reference_policies_elements_effect.html"
U_STATEMENT = DOC + "reference_policies_elements_statement.html"
U_ACTION = DOC + "reference_policies_elements_action.html"
U_NOTACTION = DOC + "reference_policies_elements_notaction.html"
U_RESOURCE = DOC + "reference_policies_elements_resource.html"
U_NOTRESOURCE = DOC + "reference_policies_elements_notresource.html"
U_PRINCIPAL = DOC + "reference_policies_elements_principal.html"
U_NOTPRINCIPAL = DOC + "reference_policies_elements_notprincipal.html"
U_CONDITION = DOC + "reference_policies_elements_condition.html"
U_OPS = DOC + "reference_policies_elements_condition_operators.html"
U_MULTI = DOC + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
U_SETS = DOC + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
U_KEYS = DOC + "reference_policies_condition-keys.html"
U_VARS = DOC + "reference_policies_variables.html"
U_VERSION = DOC + "reference_policies_elements_version.html"
U_SID = DOC + "reference_policies_elements_sid.html"
U_GRAMMAR = DOC + "reference_policies_grammar.html"
U_BOUNDARY = DOC + "access_policies_boundaries.html"
U_POLICIES = DOC + "access_policies.html"
U_SESSION = DOC + "access_policies.html#policies_session"
U_ROOT = DOC + "id_root-user.html"
U_TRUST = DOC + "id_roles_create_for-user.html"
U_OIDC = DOC + "id_roles_providers_create_oidc.html"
U_SAML = DOC + "id_roles_providers_create_saml.html"
U_TROUBLE = DOC + "troubleshoot_policies.html"
U_SCP = ORG + "orgs_manage_policies_scps_evaluation.html"
U_SCP_SYNTAX = ORG + "orgs_manage_policies_scps_syntax.html"
U_RCP = ORG + "orgs_manage_policies_rcps.html"
U_RCP_EVAL = ORG + "orgs_manage_policies_rcps_evaluation.html"
U_KB_PRINCIPAL = "https://repost.aws/knowledge-center/iam-principal-policy"

V12 = "2012-10-17"


def stmt(effect="Allow", action="s3:GetObject", resource="*", sid=None, **extra):
    """One statement; extra keys (Condition, Principal, NotAction, ...) go in as given.

    Passing action=None or resource=None leaves that element out, so NotAction and
    NotResource statements can be built.
    """
    s = {}
    if sid is not None:
        s["Sid"] = sid
    s["Effect"] = effect
    if action is not None:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    s.update(extra)
    return s


def pol(*statements, version=V12):
    """A policy document; version=None leaves the Version element out."""
    p = {}
    if version is not None:
        p["Version"] = version
    p["Statement"] = list(statements)
    return p


def user(arn=ALICE, account=A, **extra):
    p = {"arn": arn, "account": account}
    p.update(extra)
    return p


def session(arn=SESSION, role=ROLE, account=A):
    return {"arn": arn, "account": account, "roleArn": role}


def matched(*triples):
    """matchedStatements entries from (policy, sid, effect) triples."""
    return [{"policy": p, "sid": s, "effect": e} for (p, s, e) in triples]


class Case:
    def __init__(self, topic, name, comment, files):
        self.topic = topic
        self.name = name
        self.comment = comment.strip() + "\n"
        self.files = files  # list of (filename, text)

    def txtar(self):
        out = [self.comment]
        for fname, text in self.files:
            if not text.endswith("\n"):
                text += "\n"
            out.append(f"-- {fname} --\n{text}")
        return "".join(out)


def _j(v):
    return json.dumps(v, indent=2, ensure_ascii=False)


def _comment(what, url, extra=""):
    lines = [what.strip()]
    if extra:
        lines.append(extra.strip())
    lines.append(f"Source: {url}")
    return "\n".join(lines)


def ev(topic, name, what, url, request, decision=None, matched_statements=None,
       missing=None, error=None, note=""):
    """An evaluation case: request.json + want.json."""
    if "action" not in request or "resource" not in request:
        raise ValueError(f"{topic}/{name}: request needs action and resource")
    want = {}
    if error is not None:
        want["error"] = error
    else:
        if decision not in ("allowed", "explicitDeny", "implicitDeny"):
            raise ValueError(f"{topic}/{name}: bad decision {decision!r}")
        want["decision"] = decision
        if matched_statements is not None:
            want["matchedStatements"] = matched_statements
        if missing is not None:
            want["missingContextKeys"] = missing
    return Case(topic, name, _comment(what, url, note),
                [("request.json", _j(request)), ("want.json", _j(want))])


def val(topic, name, what, url, policy, kind, error="", note=""):
    """A validation case: policy.json (a document, or raw text), kind, want.json."""
    if kind not in ("identity", "managed", "resource", "trust", "boundary", "session", "scp", "rcp"):
        raise ValueError(f"{topic}/{name}: bad kind {kind}")
    text = policy if isinstance(policy, str) else _j(policy)
    return Case(topic, name, _comment(what, url, note),
                [("policy.json", text), ("kind", kind), ("want.json", _j({"error": error}))])


def write(root, cases, owned_topics):
    """Rewrite the owned topic folders under root with the given cases."""
    seen = set()
    for c in cases:
        key = (c.topic, c.name)
        if key in seen:
            raise ValueError(f"duplicate case {c.topic}/{c.name}")
        seen.add(key)
        if c.topic.split("/")[0] not in owned_topics:
            raise ValueError(f"case {c.topic}/{c.name} outside owned topics")
    for t in owned_topics:
        d = os.path.join(root, t)
        if os.path.isdir(d):
            for dirpath, _dirs, files in os.walk(d, topdown=False):
                for f in files:
                    if f.endswith(".txtar"):
                        os.remove(os.path.join(dirpath, f))
                if not os.listdir(dirpath):
                    os.rmdir(dirpath)
    for c in cases:
        d = os.path.join(root, c.topic)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, c.name + ".txtar"), "w", encoding="utf-8") as fh:
            fh.write(c.txtar())
