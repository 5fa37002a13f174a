-- identity's published read model of people: what other modules may join to show a person (name,
-- email, avatar). The users table itself (password hashes, lockout state) stays private to identity.
CREATE VIEW user_directory AS
  SELECT id, email, name, avatar_url FROM users;
