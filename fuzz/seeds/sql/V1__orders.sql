-- preflight-ignore PF503: measured
SET lock_timeout = '2s';
BEGIN;
ALTER TABLE orders ADD COLUMN note text DEFAULT now();
CREATE INDEX CONCURRENTLY idx ON orders (created_at);
UPDATE orders SET note = 'x';
CREATE FUNCTION f() RETURNS int AS $tag$ SELECT 1 /* nested /* c */ */; $tag$ LANGUAGE sql;
SELECT E'it\'s', "Quoted""Id";
\set ON_ERROR_STOP on
COMMIT;
