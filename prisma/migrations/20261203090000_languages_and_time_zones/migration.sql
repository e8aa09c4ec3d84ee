-- Languages and time zones. Agents read the interface in their own language and zone; customers
-- get e-mails in their conversation's language (the customer's own when known, else the
-- folder's) with dates in the folder's zone. Codes name a file of locales/ (en, fr, ...).
ALTER TABLE "agents" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en', ADD COLUMN "timeZone" TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE "folders" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en', ADD COLUMN "timeZone" TEXT NOT NULL DEFAULT 'UTC';
-- Null until detected from the customer's first e-mail or set by an agent.
ALTER TABLE "customers" ADD COLUMN "locale" TEXT;

-- The reminder and closing texts become one per language; a text an admin wrote stays, as English.
UPDATE "settings" SET "value" = jsonb_build_object('en', "value")
WHERE "key" IN ('reminderText', 'closingText') AND jsonb_typeof("value") = 'string';
UPDATE "settings" SET "key" = 'reminderTexts' WHERE "key" = 'reminderText';
UPDATE "settings" SET "key" = 'closingTexts' WHERE "key" = 'closingText';
