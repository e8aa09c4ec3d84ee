-- The hourly limit on automatic e-mail per address (enqueueAutomaticEmail, and the lifecycle sweep
-- for a whole batch at once) counts an address's e-mails of the last hour: one index range per
-- address, instead of every e-mail of the last hour (a sweep queues thousands).
CREATE INDEX "outbox_emails_toAddress_createdAt_idx" ON "outbox_emails"("toAddress", "createdAt");
