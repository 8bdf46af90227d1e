-- iamd schema v3: indexes that let request-path statements search rather than walk a table.
--
-- Deleting any entity checks the foreign key access_keys.user_id, which SQLite can search only
-- through an index led by user_id; access_keys_user was led by account, so every DeleteUser,
-- DeleteRole, DeleteGroup and DeletePolicy walked all access keys (200,000 at 100,000 users).
-- Led by user_id, the one index still answers the keys of a user in an account, and of the
-- root user (user_id IS NULL).
CREATE INDEX access_keys_owner ON access_keys (user_id, account);
DROP INDEX access_keys_user;

-- A user's records of one kind: beside (owner_id, kind) the planner preferred the primary key,
-- whose (account, kind) prefix walks every record of that kind (a login profile per user).
-- With all three equalities and the order in one index, it searches.
CREATE INDEX records_owner_kind ON records (owner_id, account, kind, name_lc);
DROP INDEX records_owner;
