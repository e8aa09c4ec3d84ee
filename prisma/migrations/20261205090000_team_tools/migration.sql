-- Team tools: copies (CC/BCC) kept on conversations, messages and outgoing e-mails; snooze;
-- merged conversations and customers; several addresses per customer, organisation, notes and
-- blocking; saved replies; drafts; notifications and followers.

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('mention', 'assigned', 'customer_reply', 'followed_reply', 'snooze_ended');

-- AlterEnum
ALTER TYPE "InboundStatus" ADD VALUE 'blocked';

-- AlterEnum

-- AlterEnum

-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "OutboxKind" ADD VALUE 'forward';
ALTER TYPE "OutboxKind" ADD VALUE 'mention';

-- AlterTable
ALTER TABLE "agents" ADD COLUMN     "notificationPrefs" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "bcc" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "cc" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "mergedIntoId" INTEGER,
ADD COLUMN     "snoozedAt" TIMESTAMPTZ(3),
ADD COLUMN     "snoozedById" INTEGER,
ADD COLUMN     "snoozedUntil" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "blockedAt" TIMESTAMPTZ(3),
ADD COLUMN     "mergedIntoId" INTEGER,
ADD COLUMN     "notes" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "organisation" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "bcc" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "cc" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "outbox_emails" ADD COLUMN     "bcc" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "cc" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "customer_addresses" (
    "id" SERIAL NOT NULL,
    "customerId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_addresses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_replies" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "bodyHtml" TEXT NOT NULL,
    "folderId" INTEGER,
    "createdById" INTEGER,
    "useCount" INTEGER NOT NULL DEFAULT 0,
    "lastUsedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_replies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drafts" (
    "agentId" INTEGER NOT NULL,
    "conversationId" INTEGER NOT NULL,
    "html" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL DEFAULT '',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drafts_pkey" PRIMARY KEY ("agentId","conversationId")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" SERIAL NOT NULL,
    "agentId" INTEGER NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "conversationId" INTEGER,
    "eventPosition" BIGINT NOT NULL,
    "actorAgentId" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "readAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_followers" (
    "agentId" INTEGER NOT NULL,
    "conversationId" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_followers_pkey" PRIMARY KEY ("agentId","conversationId")
);

-- CreateIndex
CREATE UNIQUE INDEX "customer_addresses_email_key" ON "customer_addresses"("email");

-- CreateIndex
CREATE INDEX "customer_addresses_customerId_idx" ON "customer_addresses"("customerId");

-- CreateIndex
CREATE INDEX "saved_replies_folderId_name_idx" ON "saved_replies"("folderId", "name");

-- CreateIndex
CREATE INDEX "drafts_conversationId_idx" ON "drafts"("conversationId");

-- CreateIndex
CREATE INDEX "notifications_agentId_readAt_id_idx" ON "notifications"("agentId", "readAt", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_agentId_kind_eventPosition_key" ON "notifications"("agentId", "kind", "eventPosition");

-- CreateIndex
CREATE INDEX "conversation_followers_conversationId_idx" ON "conversation_followers"("conversationId");

-- CreateIndex
CREATE INDEX "conversations_snoozedUntil_idx" ON "conversations"("snoozedUntil");

-- CreateIndex
CREATE INDEX "conversations_mergedIntoId_idx" ON "conversations"("mergedIntoId");

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "customers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_addresses" ADD CONSTRAINT "customer_addresses_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "conversations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_replies" ADD CONSTRAINT "saved_replies_folderId_fkey" FOREIGN KEY ("folderId") REFERENCES "folders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_replies" ADD CONSTRAINT "saved_replies_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_followers" ADD CONSTRAINT "conversation_followers_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_followers" ADD CONSTRAINT "conversation_followers_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every customer's own address is their first address.
INSERT INTO "customer_addresses" ("customerId", "email", "createdAt")
SELECT "id", "email", "createdAt" FROM "customers" ON CONFLICT ("email") DO NOTHING;

-- The notification choices agents made before (e-mail on assignment, on customer replies) carry over.
UPDATE "agents" SET "notificationPrefs" = jsonb_build_object(
  'assigned', CASE WHEN "notifyOnAssign" THEN 'both' ELSE 'app' END,
  'customer_reply', CASE WHEN "notifyOnCustomerReply" THEN 'both' ELSE 'app' END
);
-- The choices now live in notificationPrefs alone.
ALTER TABLE "agents" DROP COLUMN "notifyOnAssign", DROP COLUMN "notifyOnCustomerReply";

-- The new columns have no statistics until the next automatic analyze: until then the planner
-- takes every conversation for snoozed or merged (a sequential scan for the tab counts, a
-- recursive history estimate of thousands of rows that sets off JIT compilation on every page).
ANALYZE "conversations";
ANALYZE "customers";
ANALYZE "customer_addresses";
