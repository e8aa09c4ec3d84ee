-- An e-mail is written in the transaction of the change it follows, as a template and its
-- parameters, and rendered after that transaction commits (outside its row locks): `template`
-- is set until then, and html/text stay '' (src/mail/outbound/renderOutbox.ts).
ALTER TABLE "outbox_emails" ADD COLUMN "template" TEXT;
ALTER TABLE "outbox_emails" ADD COLUMN "params" JSONB;
ALTER TABLE "outbox_emails" ALTER COLUMN "html" SET DEFAULT '';
ALTER TABLE "outbox_emails" ALTER COLUMN "text" SET DEFAULT '';

-- The renderer's queue: only the few rows not rendered yet, so finding none is one index probe.
CREATE INDEX "outbox_emails_unrendered_idx" ON "outbox_emails"("id") WHERE "template" IS NOT NULL;
