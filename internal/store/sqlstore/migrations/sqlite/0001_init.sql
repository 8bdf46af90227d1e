-- iamd schema v1. Entities of every kind share one table: they have the same identity columns
-- (unique id, account, name, path, ARN) and the kind-specific fields live in data (JSON), which
-- keeps names unique per (account, kind) case-insensitively with one index.
CREATE TABLE meta (
	k TEXT PRIMARY KEY,
	v INTEGER NOT NULL
);
INSERT INTO meta (k, v) VALUES ('generation', 0);

CREATE TABLE accounts (
	id          TEXT PRIMARY KEY,
	alias       TEXT NOT NULL,
	create_date INTEGER NOT NULL
);

CREATE TABLE entities (
	id       TEXT PRIMARY KEY,
	account  TEXT NOT NULL,
	kind     TEXT NOT NULL,
	name     TEXT NOT NULL,
	name_lc  TEXT NOT NULL,
	path     TEXT NOT NULL,
	arn      TEXT NOT NULL UNIQUE,
	boundary TEXT NOT NULL DEFAULT '', -- permissions boundary ARN of users and roles
	seq      INTEGER NOT NULL DEFAULT 0, -- managed policies: the last version number issued
	data     TEXT NOT NULL
);
CREATE UNIQUE INDEX entities_name ON entities (account, kind, name_lc);
CREATE INDEX entities_boundary ON entities (boundary) WHERE boundary <> '';

CREATE TABLE access_keys (
	id          TEXT PRIMARY KEY,
	account     TEXT NOT NULL,
	user_id     TEXT REFERENCES entities (id), -- NULL: the account's root user
	status      TEXT NOT NULL,
	secret      BLOB NOT NULL,
	create_date INTEGER NOT NULL,
	last_used   INTEGER NOT NULL DEFAULT 0,
	last_service TEXT NOT NULL DEFAULT '',
	last_region TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_user ON access_keys (account, user_id);

CREATE TABLE group_members (
	group_id TEXT NOT NULL REFERENCES entities (id),
	user_id  TEXT NOT NULL REFERENCES entities (id),
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE attachments (
	entity_id TEXT NOT NULL REFERENCES entities (id),
	policy_id TEXT NOT NULL REFERENCES entities (id),
	PRIMARY KEY (entity_id, policy_id)
);
CREATE INDEX attachments_policy ON attachments (policy_id);

CREATE TABLE inline_policies (
	entity_id TEXT NOT NULL REFERENCES entities (id),
	name      TEXT NOT NULL,
	name_lc   TEXT NOT NULL,
	document  TEXT NOT NULL,
	PRIMARY KEY (entity_id, name_lc)
);

CREATE TABLE policy_versions (
	policy_id   TEXT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	document    TEXT NOT NULL,
	create_date INTEGER NOT NULL,
	PRIMARY KEY (policy_id, seq)
);

CREATE TABLE profile_roles (
	profile_id TEXT PRIMARY KEY REFERENCES entities (id),
	role_id    TEXT NOT NULL REFERENCES entities (id)
);
CREATE INDEX profile_roles_role ON profile_roles (role_id);

CREATE TABLE seal_keys (
	id          INTEGER PRIMARY KEY,
	wrapped     BLOB NOT NULL,
	create_date INTEGER NOT NULL
);
