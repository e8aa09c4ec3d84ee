-- One log of what happened: every command writes its events here, in its own transaction.
-- History and the admin audit are read from it (views below); listeners consume it in order.
CREATE TABLE "events" (
  "position"       BIGSERIAL PRIMARY KEY,
  -- The writing transaction: a consumer reads only events of transactions older than every
  -- running one, ordered by (tx, position), so an event committed late is never skipped.
  "tx"             XID8 NOT NULL DEFAULT pg_current_xact_id(),
  "type"           TEXT NOT NULL,
  "conversationId" INTEGER REFERENCES "conversations"("id") ON DELETE CASCADE,
  "folderId"       INTEGER,
  "actorKind"      "ActorKind" NOT NULL,
  "actorAgentId"   INTEGER REFERENCES "agents"("id") ON DELETE SET NULL,
  "targetType"     TEXT,
  "targetId"       TEXT,
  "data"           JSONB NOT NULL DEFAULT '{}',
  "createdAt"      TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "events_tx_position_idx" ON "events"("tx", "position");
CREATE INDEX "events_conversationId_createdAt_idx" ON "events"("conversationId", "createdAt") WHERE "conversationId" IS NOT NULL;
CREATE INDEX "events_audit_createdAt_idx" ON "events"("createdAt") WHERE "targetType" IS NOT NULL;

-- Where each durable listener has got to, as the (tx, position) of the last event it handled.
CREATE TABLE "event_consumers" (
  "name"      TEXT PRIMARY KEY,
  "tx"        XID8 NOT NULL,
  "position"  BIGINT NOT NULL,
  "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

INSERT INTO "events" ("type", "conversationId", "folderId", "actorKind", "actorAgentId", "data", "createdAt")
SELECT CASE h."type"
         WHEN 'created' THEN 'conversation.created'
         WHEN 'replied' THEN 'reply.sent'
         WHEN 'commented' THEN 'comment.added'
         WHEN 'customer_replied' THEN 'message.received'
         WHEN 'auto_reply_received' THEN 'auto_reply.received'
         WHEN 'status_changed' THEN 'status.changed'
         WHEN 'assigned' THEN 'conversation.assigned'
         WHEN 'moved' THEN 'conversation.moved'
         WHEN 'tagged' THEN 'conversation.tagged'
         WHEN 'untagged' THEN 'conversation.untagged'
         WHEN 'attachment_added' THEN 'attachment.added'
         WHEN 'reminder_sent' THEN 'reminder.sent'
         WHEN 'auto_closed' THEN 'conversation.auto_closed'
         WHEN 'customer_resolved' THEN 'customer.resolved'
         WHEN 'customer_not_resolved' THEN 'customer.not_resolved'
         WHEN 'follow_up_created' THEN 'follow_up.created'
         ELSE h."type" END,
       h."conversationId", c."folderId", h."actorKind", h."actorAgentId", h."data", h."createdAt"
FROM "history_events" h JOIN "conversations" c ON c."id" = h."conversationId"
ORDER BY h."createdAt", h."id";

INSERT INTO "events" ("type", "actorKind", "actorAgentId", "targetType", "targetId", "data", "createdAt")
SELECT a."action", CASE WHEN a."actorAgentId" IS NULL THEN 'system' ELSE 'agent' END::"ActorKind",
       a."actorAgentId", a."targetType", a."targetId", a."data", a."createdAt"
FROM "audit_events" a ORDER BY a."createdAt", a."id";

DROP TABLE "history_events";
DROP TABLE "audit_events";

-- Read-only views with the shapes history and the audit page read.
CREATE VIEW "history_events" AS
  SELECT "position" AS "id", "conversationId", "actorKind", "actorAgentId", "type", "data", "createdAt"
  FROM "events" WHERE "conversationId" IS NOT NULL;
CREATE VIEW "audit_events" AS
  SELECT "position" AS "id", "actorAgentId", "type" AS "action", "targetType", "targetId", "data", "createdAt"
  FROM "events" WHERE "targetType" IS NOT NULL;
