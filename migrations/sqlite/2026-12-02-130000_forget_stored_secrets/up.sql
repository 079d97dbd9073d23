-- Answers kept for Idempotency-Key replays once included the plaintext secrets of account
-- creations and rotations (and signed report links). Such answers are no longer kept; forget
-- those that were.
DELETE FROM idempotent_requests
WHERE CAST(body AS TEXT) LIKE '%"clientSecret"%'
   OR CAST(body AS TEXT) LIKE '%"password"%'
   OR CAST(body AS TEXT) LIKE '%signature=%';
