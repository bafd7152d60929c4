-- The language a code or sign-in link was requested in (the element's `language`, a shipped mail language tag).
-- It becomes the user's stored language (users.language, for later notices) only when the code or link is used:
-- anyone can ask for a code for anyone's address, and a stranger asking must not choose the language of that
-- person's later security notices. NULL = requested without a shipped language.
ALTER TABLE otps ADD COLUMN language TEXT;
ALTER TABLE magic_links ADD COLUMN language TEXT;
