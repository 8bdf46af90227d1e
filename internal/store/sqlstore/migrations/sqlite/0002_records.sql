-- iamd schema v2: records hold the entities that are only ever found by name or by the user
-- they belong to (login profiles, MFA devices, identity providers, certificates, SSH keys,
-- service-specific credentials, account settings). Their fields live in data (JSON); owner_id
-- references the owning user so that deleting a user who still has them is refused.
CREATE TABLE records (
	account  TEXT NOT NULL,
	kind     TEXT NOT NULL,
	name     TEXT NOT NULL,
	name_lc  TEXT NOT NULL,
	owner_id TEXT REFERENCES entities (id),
	data     TEXT NOT NULL,
	PRIMARY KEY (account, kind, name_lc)
);
CREATE INDEX records_owner ON records (owner_id, kind);
