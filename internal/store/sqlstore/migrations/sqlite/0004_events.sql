-- iamd schema v4: the audit trail's events (CloudTrail's shape), for LookupEvents. Every node of
-- an installation writes here, so a lookup sees the calls of all of them. data is the event's
-- JSON; the columns beside it are what LookupEvents filters on.
CREATE TABLE events (
	id            TEXT PRIMARY KEY,
	account       TEXT NOT NULL,
	time          INTEGER NOT NULL, -- microseconds since the epoch
	name          TEXT NOT NULL,
	source        TEXT NOT NULL,
	username      TEXT NOT NULL,
	access_key    TEXT NOT NULL,
	read_only     INTEGER NOT NULL,
	resource_type TEXT NOT NULL,
	resource_name TEXT NOT NULL,
	data          TEXT NOT NULL
);
CREATE INDEX events_time ON events (account, time, id);
