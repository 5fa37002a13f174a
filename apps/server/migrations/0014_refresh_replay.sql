-- A spent refresh token keeps its successor, encrypted, while the successor is unused and the reuse grace
-- window lasts: a client that never received the rotation's answer (a page reloaded mid-refresh) and
-- presents the spent token again gets the same successor back instead of being signed out. Cleared as
-- soon as the successor is itself rotated.
ALTER TABLE refresh_tokens ADD COLUMN successor_secret text;
