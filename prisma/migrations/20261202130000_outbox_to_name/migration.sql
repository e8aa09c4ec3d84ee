-- The recipient's name for the To header ("Casey Customer <casey@example.com>"). NULL: delivery
-- takes the name the customer or agent with that address has then.
ALTER TABLE "outbox_emails" ADD COLUMN "toName" TEXT;
