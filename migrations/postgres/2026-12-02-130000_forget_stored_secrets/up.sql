-- Answers kept for Idempotency-Key replays once included the plaintext secrets of account
-- creations and rotations (and signed report links). Such answers are no longer kept; forget
-- those that were.
DELETE FROM idempotent_requests
WHERE position(convert_to('"clientSecret"', 'UTF8') IN body) > 0
   OR position(convert_to('"password"', 'UTF8') IN body) > 0
   OR position(convert_to('signature=', 'UTF8') IN body) > 0;
