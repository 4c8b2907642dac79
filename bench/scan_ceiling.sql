-- pgbench script of the scan ceiling (bench/scans.py runs it on the bench's own database): the
-- minimal work of a scan, in one round trip. Look the delegate up by the SHA-256 of its QR
-- secret and insert the entry under its unique key (delegate, door or track); a duplicate
-- stops at that key. What the server adds on top (HTTP, JSON, authentication of the device,
-- the check-in rules, the audit row) is what its throughput is compared against.
-- Variables (pgbench -D): delegates; duplicates (0 or 1); filled (targets already scanned).
\if :duplicates
\set k random(0, :filled - 1)
INSERT INTO scan_ceiling_checkins (registration_id, slot)
SELECT d.id, :k::bigint / :delegates::bigint FROM scan_ceiling_delegates d
 WHERE d.secret_sha256 = sha256(((:k::bigint % :delegates::bigint) + 1)::text::bytea)
ON CONFLICT DO NOTHING;
\else
-- Each client takes the next target, so every first scan is a new (delegate, slot) pair.
WITH t AS (SELECT nextval('scan_ceiling_seq') - 1 AS k)
INSERT INTO scan_ceiling_checkins (registration_id, slot)
SELECT d.id, t.k / :delegates::bigint FROM t
  JOIN scan_ceiling_delegates d ON d.secret_sha256 = sha256(((t.k % :delegates::bigint) + 1)::text::bytea)
ON CONFLICT DO NOTHING;
\endif
